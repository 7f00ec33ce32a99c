/**
 * A backfill is a set of partitioned runs of the stage runner: each chunk
 * passes the quality gate (a blocking failure fails that chunk only, named
 * in etl_backfill_chunks and etl_runs), and the backfill ends with the
 * derived tables and the lake of one run over the same data.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import { dbTest, openTestDatabase } from "../_db.ts";
import { backfill, type EntitySource } from "@pipeline/incremental/backfill.ts";
import { entitySourceFor, sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { barChecks } from "@pipeline/datasets/bars/checks.ts";
import { runPipeline } from "@pipeline/run.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Alert } from "@pipeline/ops/alerts.ts";

const clock = fixedClock("2026-11-25T00:00:00Z");
const SYMBOLS = ["AAPL", "MSFT"];

async function source(): Promise<EntitySource> {
  return await entitySourceFor(parseRunConfig({ symbols: SYMBOLS }), {
    clock,
  });
}

/**
 * MSFT's feed of 2026-11-18 lost 200 minutes in mid-session (a chunk holds
 * one symbol, so the row count's window is that symbol's first to last bar).
 */
async function gappySource(): Promise<EntitySource> {
  const real = await source();
  return {
    ...real,
    extract: async (entity, window, signal) => {
      const raw = await real.extract(entity, window, signal);
      if (entity !== "MSFT") return raw;
      const day = pl.col("record").str.contains(":2026-11-18T");
      const ofDay = raw.filter(day);
      return pl.concat([
        raw.filter(day.not()),
        ofDay.head(100),
        ofDay.tail(ofDay.height - 300),
      ], { how: "vertical" });
    },
  };
}

async function chunkRows(client: SqlClient) {
  return (await client.query<
    { chunk: string; status: string; error: string | null }
  >(
    `SELECT partition || ' ' || to_char(day, 'YYYY-MM-DD') AS chunk, status,
            error
     FROM etl_backfill_chunks ORDER BY partition, day`,
  )).rows;
}

/** The days of `symbol` in `table`. */
async function daysIn(client: SqlClient, table: string, symbol: string) {
  const { rows } = await client.query<{ d: string }>(
    `SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d
     FROM ${table} WHERE symbol = $1 ORDER BY d`,
    [symbol],
  );
  return rows.map((r) => r.d);
}

dbTest(
  "backfill() fails the chunk a blocking quality check stops, names the check, and loads the other chunks",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const alerts: Alert[] = [];
    const dataset = {
      ...barsDataset,
      checks: barChecks({ rowCount: { severity: "blocking" } }),
    } as Dataset<unknown>;
    const runId = crypto.randomUUID();
    const report = await backfill({
      from: "2026-11-17",
      to: "2026-11-20",
      runId,
      dataDir,
    }, {
      client: db.client,
      source: await gappySource(),
      dataset,
      clock,
      alerter: {
        send: (a) => (alerts.push(a), Promise.resolve({ delivered: true })),
      },
    });
    assert.equal(report.succeeded, 4, JSON.stringify(report.failures));
    assert.equal(report.failed, 1);
    assert.equal(report.pending, 1, "MSFT 2026-11-19 waits for 11-18");
    assert.deepEqual(
      report.failures.map((f) => [f.partition, f.day, f.stage]),
      [
        ["MSFT", "2026-11-18", "quality"],
      ],
    );
    const why = "quality checks blocked 1 of 1 partitions: MSFT (row_count)";
    assert.equal(report.failures[0]!.error, why);
    assert.deepEqual(await chunkRows(db.client), [
      { chunk: "AAPL 2026-11-17", status: "succeeded", error: null },
      { chunk: "AAPL 2026-11-18", status: "succeeded", error: null },
      { chunk: "AAPL 2026-11-19", status: "succeeded", error: null },
      { chunk: "MSFT 2026-11-17", status: "succeeded", error: null },
      { chunk: "MSFT 2026-11-18", status: "failed", error: why },
    ]);

    // Nothing of MSFT 11-18 (nor of the day after) in any table; AAPL whole.
    for (const table of ["bars_1m", "bars_5m", "bars_1h"]) {
      assert.deepEqual(await daysIn(db.client, table, "MSFT"), ["2026-11-17"]);
      assert.deepEqual(await daysIn(db.client, table, "AAPL"), [
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
      ]);
    }
    // Its records are kept in quarantine with the check, as a run keeps them.
    const { rows: [kept] } = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM quarantine
       WHERE entity = 'MSFT' AND field = 'row_count'
         AND reason LIKE 'partition MSFT blocked by quality check row_count:%'`,
    );
    assert.ok(kept!.n > 180 && kept!.n <= 190, String(kept!.n));
    assert.equal(
      report.extracted,
      report.loaded + report.quarantined + report.duplicates,
    );
    const { rows: [loaded] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bars_1m",
    );
    assert.equal(loaded!.n, report.loaded);

    // The run record names the chunk and the check; etl_checks keeps the
    // failure (the worst outcome of MSFT's days), the alert went out.
    const { rows: [run] } = await db.client.query<Record<string, unknown>>(
      `SELECT trigger, status, error_stage, error_partition, error
       FROM etl_runs WHERE run_id = $1`,
      [runId],
    );
    assert.deepEqual(run, {
      trigger: "backfill",
      status: "failed",
      error_stage: "quality",
      error_partition: "MSFT",
      error: `1 of 6 chunks failed: MSFT 2026-11-18: ${why}`,
    });
    const { rows: checks } = await db.client.query<
      { partition: string; status: string }
    >(
      `SELECT partition, status FROM etl_checks
       WHERE run_id = $1 AND check_name = 'row_count' ORDER BY partition`,
      [runId],
    );
    assert.deepEqual(checks, [
      { partition: "AAPL", status: "pass" },
      { partition: "MSFT", status: "fail" },
    ]);
    assert.deepEqual(alerts.map((a) => [a.check, a.partition]), [
      ["row_count", "MSFT"],
    ]);

    // With the feed repaired, the failed chunk and the one after it load.
    const retry = await backfill({
      from: "2026-11-17",
      to: "2026-11-20",
      runId: crypto.randomUUID(),
      dataDir,
    }, { client: db.client, source: await source(), dataset, clock });
    assert.equal(retry.planned, 2);
    assert.equal(retry.succeeded, 2, JSON.stringify(retry.failures));
    assert.deepEqual(await daysIn(db.client, "bars_1m", "MSFT"), [
      "2026-11-17",
      "2026-11-18",
      "2026-11-19",
    ]);
    await Deno.remove(dataDir, { recursive: true });
  },
);

/** Every row of `table` but its load ids, ordered, as JSON lines. */
async function tableRows(client: SqlClient, table: string) {
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT to_jsonb(t) - 'load_id' AS r FROM ${table} t ORDER BY symbol, ts`,
  );
  return rows.map((r) => JSON.stringify(r.r));
}

/** Every row of `table`'s lake, but its load ids, ordered, as JSON lines. */
async function lakeRows(dataDir: string, table: string) {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const glob = join(dataDir, "lake", table, "*", "*.parquet");
    const reader = await conn.runAndReadAll(
      `SELECT * EXCLUDE (load_id) FROM read_parquet('${glob}',
         hive_partitioning = true) ORDER BY symbol, ts`,
    );
    return reader.getRowObjectsJson().map((r) => JSON.stringify(r));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

dbTest(
  "backfill() writes the derived tables and the lake exactly as one run of the same data",
  async (db) => {
    const backfillDir = await Deno.makeTempDir();
    const runDir = await Deno.makeTempDir();
    const other = await openTestDatabase(db.kind);
    try {
      const report = await backfill({
        from: "2026-11-16",
        to: "2026-11-21",
        runId: crypto.randomUUID(),
        dataDir: backfillDir,
      }, {
        client: db.client,
        source: await source(),
        dataset: barsDataset as Dataset<unknown>,
        clock,
      });
      assert.equal(report.succeeded, 10, JSON.stringify(report.failures));

      // The same five sessions as one run, as of 2026-11-20 close.
      const runClock = fixedClock("2026-11-20T21:30:00Z");
      const cfg = parseRunConfig({ symbols: SYMBOLS, sessions: 5 });
      const summary = await runPipeline(
        await sourceFor(cfg, { clock: runClock }),
        { dataDir: runDir },
        { client: other.client, clock: runClock },
      );
      assert.equal(summary.status, "succeeded", summary.error ?? "");
      assert.equal(summary.counts.loaded, report.loaded);

      for (const table of ["bars_1m", "bars_5m", "bars_1h"]) {
        const warehouse = await tableRows(db.client, table);
        assert.ok(warehouse.length > 0, table);
        assert.deepEqual(warehouse, await tableRows(other.client, table));
        const lake = await lakeRows(backfillDir, table);
        assert.equal(lake.length, warehouse.length, `${table} lake rows`);
        assert.deepEqual(lake, await lakeRows(runDir, table), `${table} lake`);
      }
      // The run record adds up the chunks, each stage once.
      const { rows: [run] } = await db.client.query<
        { status: string; stages: string[] }
      >(
        `SELECT r.status, array_agg(s.stage ORDER BY s.ordinal) AS stages
         FROM etl_runs r JOIN etl_run_stages s USING (run_id)
         WHERE r.trigger = 'backfill' GROUP BY r.status`,
      );
      assert.deepEqual(run, {
        status: "succeeded",
        stages: [
          "extract",
          "validate",
          "transform",
          "quality",
          "load",
          "snapshot",
        ],
      });
    } finally {
      await other.dispose();
      await Deno.remove(backfillDir, { recursive: true });
      await Deno.remove(runDir, { recursive: true });
    }
  },
);
