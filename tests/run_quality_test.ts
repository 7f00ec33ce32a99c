/**
 * Whole runs with data-quality checks, in process, on PGlite and (with
 * DATABASE_URL) a Postgres server: a blocking check keeps one symbol out
 * of the load and in quarantine while the others load; a warning check
 * only records.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "./_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { countsReconcile, formatSummary } from "@pipeline/summary.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import type { BarBatch } from "@pipeline/load/bars.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Source } from "@pipeline/extract/source.ts";
import type { Alert, Alerter } from "@pipeline/ops/alerts.ts";
import { barChecks } from "@pipeline/datasets/bars/checks.ts";
import {
  normaliseTimestamps,
  resampleBars,
  withMovingAverages,
  withReturns,
  withVwap,
} from "@pipeline/transform/bars.ts";
import { BARS_COLUMNS } from "@pipeline/transform/bars.ts";
import { utcDates } from "@pipeline/datasets/dataset.ts";

const AS_OF = "2026-11-20T21:30:00Z";
const clock = fixedClock(AS_OF);

/** A recording alerter. */
function recorder(): Alerter & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return {
    alerts,
    send: (a) => (alerts.push(a), Promise.resolve({ delivered: true })),
  };
}

/**
 * The synthetic source over AAPL, MSFT and NVDA (one session, defects at
 * the default rate unless `defectRate` says otherwise), with the partition
 * of `symbol` changed by `change` (a provider's bad delivery).
 */
async function sourceWith(
  symbol: string,
  change: (raw: pl.DataFrame) => pl.DataFrame,
  options: { defectRate?: number } = {},
): Promise<Source> {
  const cfg = parseRunConfig({
    symbols: ["AAPL", "MSFT", "NVDA"],
    sessions: 1,
    snapshot: false,
    ...options,
  });
  const real = await sourceFor(cfg, { clock });
  return {
    ...real,
    partitions: () =>
      real.partitions().map((p) =>
        p.name !== symbol ? p : {
          name: p.name,
          extract: async () => change(await p.extract()),
        }
      ),
  };
}

/** MSFT's feed stopped after its first 150 minutes. */
const truncated = () => sourceWith("MSFT", (raw) => raw.head(150));

async function symbolsIn(client: SqlClient, table: string) {
  const { rows } = await client.query<{ symbol: string }>(
    `SELECT DISTINCT symbol FROM ${table} ORDER BY symbol`,
  );
  return rows.map((r) => r.symbol);
}

async function checksOf(client: SqlClient, runId: string) {
  const { rows } = await client.query<
    { partition: string; check_name: string; status: string }
  >(
    `SELECT partition, check_name, status FROM etl_checks
     WHERE run_id = $1 AND status <> 'pass' ORDER BY partition, check_name`,
    [runId],
  );
  return rows.map((r) => [r.partition, r.check_name, r.status]);
}

dbTest(
  "runPipeline() keeps a symbol a blocking check fails out of the load, in quarantine",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const alerter = recorder();
    const dataset: Dataset<BarBatch> = {
      ...barsDataset,
      checks: barChecks({ rowCount: { severity: "blocking" } }),
    };
    const summary = await runPipeline(
      await truncated(),
      { dataDir, snapshot: false },
      { client: db.client, clock, alerter, datasets: { bars: dataset } },
    );
    assert.equal(summary.status, "failed");
    assert.equal(summary.error_stage, "quality");
    assert.equal(summary.error_partition, "MSFT");
    assert.equal(
      summary.error,
      "quality checks blocked 1 of 3 partitions: MSFT (row_count)",
    );
    assert.deepEqual(
      summary.stages.map((s) => s.stage),
      ["extract", "validate", "transform", "quality", "load"],
    );
    assert.ok(countsReconcile(summary.counts), JSON.stringify(summary.counts));

    // AAPL and NVDA loaded; MSFT did not, in any table.
    for (const table of ["bars_1m", "bars_5m", "bars_1h"]) {
      assert.deepEqual(await symbolsIn(db.client, table), ["AAPL", "NVDA"]);
    }
    const { rows: [loaded] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bars_1m",
    );
    assert.equal(loaded!.n, summary.counts.loaded);

    // MSFT's valid records are kept, named, with the check and its numbers.
    const { rows: kept } = await db.client.query<
      { record: string; entity: string; field: string; reason: string }
    >(
      `SELECT record, entity, field, reason FROM quarantine
       WHERE load_id = $1 AND field = 'row_count' ORDER BY record`,
      [summary.run_id],
    );
    assert.ok(kept.length > 140 && kept.length <= 150, String(kept.length));
    for (const r of kept) {
      assert.equal(r.entity, "MSFT");
      assert.match(r.record, /^synthetic:MSFT:/);
      assert.match(
        r.reason,
        /^partition MSFT blocked by quality check row_count: MSFT has \d+ rows in bars_1m \(\d+(\.\d+)?%\), expected 390 \(NYSE session minutes in the batch window\); at least 351 \(90%\) needed$/,
      );
    }
    const { rows: [q] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM quarantine WHERE load_id = $1",
      [summary.run_id],
    );
    assert.equal(q!.n, summary.counts.quarantined);

    // Every check is recorded; the failure and the warning it came with.
    const { rows: [recorded] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM etl_checks WHERE run_id = $1",
      [summary.run_id],
    );
    assert.equal(recorded!.n, 3 * barChecks().length);
    assert.deepEqual(await checksOf(db.client, summary.run_id), [
      ["MSFT", "freshness", "warn"],
      ["MSFT", "row_count", "fail"],
    ]);
    assert.deepEqual(
      [summary.checks?.fail, summary.checks?.warn, summary.checks?.blocked],
      [1, 1, ["MSFT"]],
    );

    // The run row and the alert say the same.
    const { rows: [run] } = await db.client.query<Record<string, unknown>>(
      `SELECT status, error_stage, error_partition FROM etl_runs
       WHERE run_id = $1`,
      [summary.run_id],
    );
    assert.deepEqual(run, {
      status: "failed",
      error_stage: "quality",
      error_partition: "MSFT",
    });
    assert.deepEqual(
      alerter.alerts.map((a) => [a.kind, a.check, a.dataset, a.partition]),
      [["check_failed", "row_count", "bars", "MSFT"]],
    );
    assert.match(
      formatSummary(summary),
      /checks: \d+ pass, 1 warn, 1 fail over 3 partitions; blocked MSFT\nFAILED check row_count: MSFT has/,
    );
    await Deno.remove(dataDir, { recursive: true });
  },
);

/**
 * A bars dataset whose transform forgot to drop exact duplicates: its
 * bars_1m repeats (symbol, ts) keys, which one upsert cannot write.
 */
const forgetfulDataset: Dataset<BarBatch> = {
  ...barsDataset,
  transform(valid) {
    const sorted = normaliseTimestamps(
      valid.select("symbol", "ts", "open", "high", "low", "close", "volume"),
    ).sort({ by: ["symbol", "ts"], maintainOrder: true });
    const bars = withVwap(withMovingAverages(withReturns(sorted)))
      .select(...BARS_COLUMNS);
    return {
      batch: {
        bars,
        bars5m: resampleBars(sorted, { every: "5m" }),
        bars1h: resampleBars(sorted, { every: "1h" }),
      },
      rows: bars.height,
      duplicates: 0,
      dates: utcDates(bars),
    };
  },
};

dbTest(
  "runPipeline() blocks a symbol with repeated keys instead of failing the whole load",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const alerter = recorder();
    // AAPL's provider sent its first three bars again at the end (exact
    // copies, other record names): valid records, repeated keys. No other
    // defects, so these are the only copies.
    const source = await sourceWith(
      "AAPL",
      (raw) =>
        pl.concat([
          raw,
          raw.head(3).withColumns(
            pl.concatString([pl.col("record"), pl.lit("#resent")], ""),
          ),
        ], { how: "vertical" }),
      { defectRate: 0 },
    );
    const summary = await runPipeline(source, { dataDir, snapshot: false }, {
      client: db.client,
      clock,
      alerter,
      datasets: { bars: forgetfulDataset },
    });
    assert.equal(summary.status, "failed", summary.error ?? "");
    assert.equal(summary.error_stage, "quality");
    assert.equal(summary.error_partition, "AAPL");
    assert.deepEqual(await symbolsIn(db.client, "bars_1m"), ["MSFT", "NVDA"]);
    assert.deepEqual(await checksOf(db.client, summary.run_id), [
      ["AAPL", "monotonic_ts", "warn"],
      ["AAPL", "unique_key.bars_1m", "fail"],
    ]);
    // Each AAPL key is quarantined once; the three copies count as duplicates.
    assert.equal(summary.counts.duplicates, 3);
    assert.ok(countsReconcile(summary.counts), JSON.stringify(summary.counts));
    const { rows } = await db.client.query<{ field: string; n: number }>(
      `SELECT field, count(*)::int AS n FROM quarantine WHERE load_id = $1
       GROUP BY field ORDER BY field`,
      [summary.run_id],
    );
    assert.deepEqual(rows, [{ field: "unique_key.bars_1m", n: 390 }]);
    assert.equal(summary.counts.quarantined, 390);
    assert.equal(summary.counts.loaded, 2 * 390);
    assert.deepEqual(alerter.alerts.map((a) => a.check), [
      "unique_key.bars_1m",
    ]);
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "runPipeline() loads every symbol when only a warning check fails, and records it",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const alerter = recorder();
    const summary = await runPipeline(
      await truncated(),
      { dataDir, snapshot: false },
      { client: db.client, clock, alerter },
    );
    assert.equal(summary.status, "succeeded", summary.error ?? "");
    assert.equal(summary.error, null);
    assert.ok(countsReconcile(summary.counts));
    assert.deepEqual(await symbolsIn(db.client, "bars_1m"), [
      "AAPL",
      "MSFT",
      "NVDA",
    ]);
    assert.deepEqual(await checksOf(db.client, summary.run_id), [
      ["MSFT", "freshness", "warn"],
      ["MSFT", "row_count", "warn"],
    ]);
    assert.deepEqual(
      [summary.checks?.fail, summary.checks?.warn, summary.checks?.blocked],
      [0, 2, []],
    );
    const { rows: [q] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM quarantine WHERE field = 'row_count'",
    );
    assert.equal(q!.n, 0);
    assert.deepEqual(alerter.alerts, []);
    assert.match(formatSummary(summary), /\nWARN check row_count: MSFT has/);
    await Deno.remove(dataDir, { recursive: true });
  },
);
