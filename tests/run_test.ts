/**
 * Whole runs of the pipeline, in process, on PGlite and (with DATABASE_URL)
 * a Postgres server.
 */
import assert from "node:assert/strict";
import { dbTest, type TestDatabase } from "./_db.ts";
import { catalogRows } from "./_catalog.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { countsReconcile } from "@pipeline/summary.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Source } from "@pipeline/extract/source.ts";

const AS_OF = "2026-11-20T21:30:00Z";
const clock = fixedClock(AS_OF);

async function run(
  db: TestDatabase,
  dataDir: string,
  config: Record<string, unknown>,
  client: SqlClient = db.client,
) {
  const cfg = parseRunConfig({ dataDir, ...config });
  const source = await sourceFor(cfg, { clock });
  return await runPipeline(source, { dataDir, snapshot: cfg.snapshot }, {
    client,
    clock,
  });
}

async function tableCounts(client: SqlClient) {
  const { rows } = await client.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM bars_1m) AS bars_1m,
            (SELECT count(*)::int FROM bars_5m) AS bars_5m,
            (SELECT count(*)::int FROM bars_1h) AS bars_1h,
            (SELECT count(*)::int FROM quarantine) AS quarantine`,
  );
  return rows[0]!;
}

dbTest(
  "runPipeline() loads the synthetic source and a second identical run adds no rows",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const config = { symbols: ["AAPL", "MSFT", "NVDA"], sessions: 2 };
    const first = await run(db, dataDir, config);
    assert.equal(first.status, "succeeded", first.error ?? "");
    assert.ok(countsReconcile(first.counts), JSON.stringify(first.counts));
    assert.ok(first.counts.quarantined > 0, "defects are quarantined");
    assert.equal(first.counts.extracted > 3 * 2 * 390 - 1, true);
    const after1 = await tableCounts(db.client);
    assert.equal(after1.bars_1m, first.counts.loaded);
    assert.equal(after1.quarantine, first.counts.quarantined);
    assert.deepEqual(
      first.stages.map((s) => s.stage),
      ["extract", "validate", "transform", "quality", "load", "snapshot"],
    );

    const second = await run(db, dataDir, config);
    assert.equal(second.status, "succeeded");
    assert.deepEqual(second.counts, first.counts);
    assert.deepEqual(await tableCounts(db.client), after1);
    for (const t of second.tables) {
      assert.equal(t.inserted + t.updated, 0, `${t.table} changed on re-run`);
    }

    // The snapshot is queryable from DuckDB with the same rows.
    const duck = await catalogRows(
      dataDir,
      "SELECT count(*)::INT AS n, count(DISTINCT symbol)::INT AS symbols FROM bars_1m",
    );
    assert.deepEqual(duck, [{ n: after1.bars_1m, symbols: 3 }]);
    const { rows } = await db.client.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM etl_runs GROUP BY status",
    );
    assert.deepEqual(rows, [{ status: "succeeded", n: 2 }]);
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() with --source file keeps every bad record of the sample with its reason",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const summary = await run(db, dataDir, {
      source: "file",
      input: "data/samples/bars.csv",
      snapshot: false,
    });
    assert.equal(summary.status, "succeeded", summary.error ?? "");
    assert.ok(countsReconcile(summary.counts));
    const { rows } = await db.client.query<
      { record: string; field: string; reason: string; dataset: string }
    >("SELECT record, field, reason, dataset FROM quarantine ORDER BY record");
    assert.equal(rows.length, summary.counts.quarantined);
    for (const r of rows) {
      assert.match(r.record, /^bars\.csv:\d+$/);
      assert.ok(r.field.length > 0 && r.reason.length > 0);
      assert.equal(r.dataset, "bars");
    }
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() whose load fails midway leaves nothing half-loaded",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    let copies = 0;
    const failing: SqlClient = {
      ...db.client,
      copyFrom(sql, data) {
        if (++copies === 2) {
          return Promise.reject(new Error("connection lost during COPY"));
        }
        return db.client.copyFrom(sql, data);
      },
      transaction: (fn) => db.client.transaction(() => fn(failing)),
    };
    const summary = await run(
      db,
      dataDir,
      { symbols: ["AAPL"], sessions: 1 },
      failing,
    );
    assert.equal(summary.status, "failed");
    // The second COPY of the load (the quarantine's, since the aggregates are
    // recomputed in SQL) fails: the error names the load stage and the part.
    assert.match(
      summary.error ?? "",
      /\[load[^\]]*\].*connection lost during COPY/,
    );
    assert.deepEqual(await tableCounts(db.client), {
      bars_1m: 0,
      bars_5m: 0,
      bars_1h: 0,
      quarantine: 0,
    });
    const { rows } = await db.client.query<{ status: string; error: string }>(
      "SELECT status, error FROM etl_runs",
    );
    assert.equal(rows[0]!.status, "failed");
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() loads the partitions that succeeded and names the one that failed",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({ dataDir, symbols: ["AAPL"], sessions: 1 });
    const good = await sourceFor(cfg, { clock });
    const source: Source = {
      ...good,
      partitions: () => [
        ...good.partitions(),
        {
          name: "MSFT",
          extract: () => Promise.reject(new Error("HTTP 500 from provider")),
        },
      ],
    };
    const summary = await runPipeline(source, { dataDir, snapshot: false }, {
      client: db.client,
      clock,
    });
    assert.equal(summary.status, "failed");
    assert.match(summary.error ?? "", /1 of 2 partitions failed: MSFT/);
    assert.deepEqual(
      summary.partitions.map((p) => [p.partition, p.status]),
      [["AAPL", "succeeded"], ["MSFT", "failed"]],
    );
    assert.equal((await tableCounts(db.client)).bars_1m, summary.counts.loaded);
    assert.ok(summary.counts.loaded > 300);
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() records its history: trigger, stages, partitions, newest ts and the quarantine link",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({ dataDir, symbols: ["AAPL"], sessions: 1 });
    const good = await sourceFor(cfg, { clock });
    const source: Source = {
      ...good,
      partitions: () => [
        ...good.partitions(),
        {
          name: "MSFT",
          extract: () => Promise.reject(new Error("HTTP 500 from provider")),
        },
      ],
    };
    const summary = await runPipeline(source, {
      dataDir,
      snapshot: false,
      pipeline: "intraday",
      trigger: "schedule",
      attempt: 2,
      scheduledFor: new Date("2026-11-20T21:05:00Z"),
    }, { client: db.client, clock });
    assert.equal(summary.status, "failed");
    const { rows: [run] } = await db.client.query<Record<string, unknown>>(
      `SELECT pipeline, source, trigger, attempt, scheduled_for, status,
              error_stage, error_partition, newest_ts, pid, host
       FROM etl_runs WHERE run_id = $1`,
      [summary.run_id],
    );
    assert.deepEqual(run, {
      pipeline: "intraday",
      source: "synthetic",
      trigger: "schedule",
      attempt: 2,
      scheduled_for: new Date("2026-11-20T21:05:00Z"),
      status: "failed",
      error_stage: "extract",
      error_partition: "MSFT",
      newest_ts: new Date("2026-11-20T20:59:00Z"),
      pid: Deno.pid,
      host: Deno.hostname(),
    });
    assert.equal(summary.newest_ts, "2026-11-20T20:59:00.000Z");
    const { rows: stages } = await db.client.query<
      { stage: string; rows_out: number }
    >(
      `SELECT stage, rows_out::int AS rows_out FROM etl_run_stages
       WHERE run_id = $1 ORDER BY ordinal`,
      [summary.run_id],
    );
    assert.deepEqual(
      stages,
      summary.stages.map((s) => ({ stage: s.stage, rows_out: s.rows_out })),
    );
    const { rows: parts } = await db.client.query(
      `SELECT partition, status, rows::int AS rows, error FROM etl_run_partitions
       WHERE run_id = $1 ORDER BY partition`,
      [summary.run_id],
    );
    assert.deepEqual(parts, [
      {
        partition: "AAPL",
        status: "succeeded",
        rows: summary.partitions[0]!.rows,
        error: null,
      },
      {
        partition: "MSFT",
        status: "failed",
        rows: 0,
        error: "HTTP 500 from provider",
      },
    ]);
    const { rows: [linked] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM etl_run_quarantine WHERE run_id = $1",
      [summary.run_id],
    );
    assert.equal(linked!.n, summary.counts.quarantined);
    assert.ok(summary.counts.quarantined > 0);
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() stops at a safe point when its signal aborts",
  async (db, t) => {
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({ dataDir, symbols: ["AAPL", "MSFT"] });
    const real = await sourceFor(cfg, { clock });
    await t.step("between partitions: nothing is loaded", async () => {
      const stop = new AbortController();
      const source: Source = {
        ...real,
        partitions: () =>
          real.partitions().map((p, i) => ({
            name: p.name,
            extract: async () => {
              const frame = await p.extract();
              if (i === 0) stop.abort(new Error("SIGTERM"));
              return frame;
            },
          })),
      };
      const summary = await runPipeline(source, { dataDir }, {
        client: db.client,
        clock,
        signal: stop.signal,
      });
      assert.equal(summary.status, "failed");
      assert.equal(summary.interrupted, true);
      assert.equal(summary.error_stage, "extract");
      assert.match(
        summary.error ?? "",
        /interrupted \(SIGTERM\) before partition MSFT; nothing was loaded/,
      );
      assert.equal((await tableCounts(db.client)).bars_1m, 0);
    });
    await t.step(
      "during the load: the load commits, the snapshot is skipped",
      async () => {
        const stop = new AbortController();
        const aborting: SqlClient = {
          ...db.client,
          transaction: (fn) =>
            db.client.transaction(async (tx) => {
              stop.abort(new Error("SIGTERM"));
              return await fn(tx);
            }),
        };
        const summary = await runPipeline(real, { dataDir }, {
          client: aborting,
          clock,
          signal: stop.signal,
        });
        assert.equal(summary.interrupted, true);
        assert.equal(summary.error_stage, "snapshot");
        assert.match(summary.error ?? "", /after the load committed/);
        assert.equal(summary.snapshot, null);
        assert.equal(
          (await tableCounts(db.client)).bars_1m,
          summary.counts.loaded,
        );
        const { rows } = await db.client.query<{ status: string }>(
          "SELECT status FROM etl_runs WHERE run_id = $1",
          [summary.run_id],
        );
        assert.deepEqual(rows, [{ status: "failed" }]);
      },
    );
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() run again an hour later keeps each rejected record once",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const cfg = parseRunConfig({
      dataDir,
      symbols: ["AAPL", "MSFT"],
      sessions: 2,
      defectRate: 0.05,
      snapshot: false,
    });
    const at = (iso: string) => fixedClock(iso);
    const first = await runPipeline(
      await sourceFor(cfg, { clock: at(AS_OF) }),
      { dataDir, snapshot: false },
      { client: db.client, clock: at(AS_OF) },
    );
    const later = at("2026-11-20T22:30:00Z");
    const second = await runPipeline(
      await sourceFor(cfg, { clock: later }),
      { dataDir, snapshot: false },
      { client: db.client, clock: later },
    );
    assert.equal(second.counts.quarantined, first.counts.quarantined);
    const { rows } = await db.client.query<{ n: number; future: number }>(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE reason LIKE '%in the future%')::int AS future
       FROM quarantine`,
    );
    assert.ok(rows[0]!.future > 0, "the sample has future timestamps");
    assert.equal(rows[0]!.n, first.counts.quarantined);
    await Deno.remove(dataDir, { recursive: true });
  },
);
