/**
 * Backfills in chunks of a day per partition: equal to one run, resumable,
 * never redoing finished chunks, never moving the watermark back, retrying
 * only failed chunks, and a dry run that writes nothing.
 */
import assert from "node:assert/strict";
import { EtlError } from "@pipeline/errors.ts";
import { dbTest } from "../_db.ts";
import {
  backfill,
  daysOf,
  type EntitySource,
} from "@pipeline/incremental/backfill.ts";
import { entitySourceFor, sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { runPipeline } from "@pipeline/run.ts";
import { resetDataset } from "@pipeline/incremental/reset.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";

const clock = fixedClock("2026-11-25T00:00:00Z");
const SYMBOLS = ["AAPL", "MSFT"];
const dataset = barsDataset as Dataset<unknown>;

async function source(): Promise<EntitySource> {
  const cfg = parseRunConfig({ symbols: SYMBOLS });
  return await entitySourceFor(cfg, { clock });
}

async function bars(client: SqlClient) {
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT symbol, ts, open, high, low, close, volume, ret, ma_close_20,
            ma_volume_20, vwap FROM bars_1m ORDER BY symbol, ts`,
  );
  return rows.map((r) => JSON.stringify(r));
}

async function chunkRows(client: SqlClient) {
  return (await client.query<
    { partition: string; day: string; status: string; attempts: number }
  >(
    `SELECT partition, to_char(day, 'YYYY-MM-DD') AS day, status, attempts
     FROM etl_backfill_chunks ORDER BY partition, day`,
  )).rows;
}

Deno.test("daysOf() lists the UTC days of [from, to) and refuses an empty range", () => {
  assert.deepEqual(daysOf("2026-10-30", "2026-11-02"), [
    "2026-10-30",
    "2026-10-31",
    "2026-11-01",
  ]);
  assert.throws(() => daysOf("2026-11-02", "2026-11-02"), /must be after/);
  assert.throws(() => daysOf("2026-11-31", "2026-12-02"), /YYYY-MM-DD/);
});

dbTest(
  "backfill() loads day x symbol chunks that add up to exactly one run over the range",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const report = await backfill({
      from: "2026-11-16",
      to: "2026-11-21",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(report.total, 10);
    assert.equal(report.succeeded, 10);
    assert.equal(
      report.extracted,
      report.loaded + report.quarantined + report.duplicates,
    );
    const backfilled = await bars(db.client);
    const chunks = await chunkRows(db.client);
    assert.equal(chunks.length, 10);
    assert.ok(
      chunks.every((c) => c.status === "succeeded" && c.attempts === 1),
    );

    // The same range as one run of five sessions, as of 2026-11-20 close.
    await resetDataset(db.client, dataset, {
      dataDir: await Deno.makeTempDir(),
      now: clock.now(),
    });
    const runClock = fixedClock("2026-11-20T21:30:00Z");
    const cfg = parseRunConfig({ symbols: SYMBOLS, sessions: 5 });
    const summary = await runPipeline(
      await sourceFor(cfg, { clock: runClock }),
      {
        dataDir: await Deno.makeTempDir(),
        snapshot: false,
      },
      { client: db.client, clock: runClock },
    );
    assert.equal(summary.status, "succeeded");
    assert.equal(summary.counts.loaded, report.loaded);
    assert.deepEqual(await bars(db.client), backfilled);
  },
);

dbTest(
  "an interrupted backfill resumes without redoing finished chunks, and a re-run adds nothing",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const stop = new AbortController();
    let done = 0;
    const first = await backfill({
      from: "2026-11-16",
      to: "2026-11-21",
      runId: crypto.randomUUID(),
      dataDir,
    }, {
      client: db.client,
      source: await source(),
      dataset,
      clock,
      signal: stop.signal,
      log: (line) => {
        if (line.includes("chunks") && ++done === 3) stop.abort();
      },
    });
    assert.equal(first.interrupted, true);
    assert.equal(first.succeeded, 3);
    const resumed = await backfill({
      from: "2026-11-16",
      to: "2026-11-21",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(resumed.skipped, 3);
    assert.equal(resumed.succeeded, 7);
    const chunks = await chunkRows(db.client);
    assert.ok(
      chunks.every((c) => c.status === "succeeded" && c.attempts === 1),
    );
    const before = await bars(db.client);
    const again = await backfill({
      from: "2026-11-16",
      to: "2026-11-21",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(again.planned, 0);
    const all = await backfill({
      from: "2026-11-16",
      to: "2026-11-21",
      reprocess: "all",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(all.succeeded, 10);
    assert.deepEqual(await bars(db.client), before, "reprocess all: same rows");
  },
);

dbTest(
  "backfill() records failing chunks with their error, --reprocess failed retries only them, and the watermark never moves back",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const real = await source();
    let broken = true;
    const flaky: EntitySource = {
      ...real,
      extract: (entity, window, signal) => {
        if (broken && entity === "MSFT") {
          throw new EtlError("provider down", {
            stage: "extract",
            partition: entity,
            transient: true,
          });
        }
        return real.extract(entity, window, signal);
      },
    };
    await db.client.query(
      `INSERT INTO etl_watermarks VALUES ('synthetic', 'AAPL', 'bars', 'ts',
         '2026-11-24T20:59:00Z', gen_random_uuid(), now())`,
    );
    const first = await backfill({
      from: "2026-11-18",
      to: "2026-11-20",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: flaky, dataset, clock });
    assert.equal(first.succeeded, 2, JSON.stringify(first.failures));
    assert.equal(first.failed, 2);
    assert.match(first.failures[0]!.error, /provider down/);
    const failed = (await chunkRows(db.client)).filter((c) =>
      c.status === "failed"
    );
    assert.ok(
      failed.length >= 1 && failed.every((c) => c.partition === "MSFT"),
    );

    broken = false;
    const retry = await backfill({
      from: "2026-11-18",
      to: "2026-11-20",
      reprocess: "failed",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: flaky, dataset, clock });
    assert.equal(retry.planned, failed.length);
    assert.equal(retry.failed, 0);
    const { rows } = await db.client.query<{ partition: string; w: string }>(
      `SELECT partition, to_char(watermark AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS w
       FROM etl_watermarks ORDER BY partition`,
    );
    assert.deepEqual(rows[0], { partition: "AAPL", w: "2026-11-24 20:59" });
  },
);

dbTest(
  "backfill({ dryRun }) lists the chunks and writes nothing",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const report = await backfill({
      from: "2026-11-16",
      to: "2026-11-18",
      dryRun: true,
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(report.planned, 4);
    assert.deepEqual(report.chunks.map((c) => `${c.partition} ${c.day}`), [
      "AAPL 2026-11-16",
      "AAPL 2026-11-17",
      "MSFT 2026-11-16",
      "MSFT 2026-11-17",
    ]);
    assert.deepEqual(await chunkRows(db.client), []);
    assert.deepEqual(await bars(db.client), []);
  },
);

dbTest(
  "backfill() on a live progress display shows ONE bar over its chunks instead of a log line per chunk",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const bars: { label: string; total?: number | undefined; unit?: string }[] =
      [];
    const advanced = { chunks: 0, rows: 0, done: 0 };
    const lines: string[] = [];
    try {
      const report = await backfill({
        from: "2026-11-18",
        to: "2026-11-20",
        runId: crypto.randomUUID(),
        dataDir,
        snapshot: false,
      }, {
        client: db.client,
        source: await source(),
        dataset,
        clock,
        log: (line) => lines.push(line),
        progress: {
          live: true,
          log: (line) => lines.push(line),
          start(label, options = {}) {
            bars.push({ label, ...options });
            return {
              advance(n = 1, rows = 0) {
                advanced.chunks += n;
                advanced.rows += rows;
              },
              setTotal() {},
              done() {
                advanced.done++;
              },
            };
          },
        },
      });
      assert.equal(report.succeeded, 4);
      assert.deepEqual(bars, [{ label: "backfill", total: 4, unit: "chunks" }]);
      assert.deepEqual(advanced, { chunks: 4, rows: report.loaded, done: 1 });
      assert.deepEqual(
        lines.filter((l) => /chunks \(\d+%\)/.test(l)),
        [],
        "no line per chunk",
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
