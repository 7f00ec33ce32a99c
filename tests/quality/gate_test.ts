/**
 * The quality gate over a real batch and database: outcomes recorded, a
 * blocked partition out of the batch and into the quarantine, one alert.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Alert, Alerter } from "@pipeline/ops/alerts.ts";
import { barChecks } from "@pipeline/datasets/bars/checks.ts";
import { qualityGate } from "@pipeline/quality/gate.ts";

const NOW = new Date("2026-11-20T21:30:00Z");
const CHECKED_AT = new Date("2026-11-20T21:31:00Z");

/** A recording alerter. */
function recorder(): Alerter & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return {
    alerts,
    send: (a) => (alerts.push(a), Promise.resolve({ delivered: true })),
  };
}

/** An `etl_runs` row for the checks to reference. */
async function startRun(client: SqlClient): Promise<string> {
  const runId = crypto.randomUUID();
  await client.query(
    `INSERT INTO etl_runs (run_id, pipeline, source, started_at, status)
     VALUES ($1, 'test', 'synthetic', now(), 'running')`,
    [runId],
  );
  return runId;
}

/** One session of AAPL (first two hours only) and MSFT, validated and transformed. */
function stages() {
  const raw = pl.concat([
    syntheticBars({ clock: fixedClock(NOW), symbols: ["AAPL"], sessions: 1 })
      .head(120),
    syntheticBars({ clock: fixedClock(NOW), symbols: ["MSFT"], sessions: 1 }),
  ], { how: "vertical" });
  const { valid, quarantine } = barsDataset.validate(raw, { now: NOW });
  return { raw, valid, quarantine, transformed: barsDataset.transform(valid) };
}

dbTest(
  "qualityGate() records every outcome and passes a clean batch through",
  async (db) => {
    const runId = await startRun(db.client);
    const { valid, quarantine, transformed } = stages();
    const rowsOf = (symbol: string) =>
      transformed.batch.bars.filter(pl.col("symbol").eq(pl.lit(symbol)))
        .height;
    const alerter = recorder();
    const gate = await qualityGate({
      dataset: barsDataset,
      valid,
      transformed,
      quarantine,
      now: NOW,
      client: db.client,
      runId,
      pipeline: "test",
      checkedAt: CHECKED_AT,
      alerter,
    });
    assert.equal(gate.transformed, transformed);
    assert.equal(gate.quarantine, quarantine);
    assert.deepEqual(gate.checks.blocked, []);
    assert.deepEqual(
      gate.checks.warnings.map((o) => [o.partition, o.check]),
      [["AAPL", "row_count"], ["AAPL", "freshness"]],
    );
    assert.deepEqual(alerter.alerts, []);
    const { rows } = await db.client.query<Record<string, unknown>>(
      `SELECT partition, check_name, severity, status, observed, expected,
              threshold, checked_at
       FROM etl_checks WHERE run_id = $1 AND check_name = 'row_count'
       ORDER BY partition`,
      [runId],
    );
    assert.deepEqual(rows, [
      {
        partition: "AAPL",
        check_name: "row_count",
        severity: "warn",
        status: "warn",
        observed: rowsOf("AAPL"),
        expected: 390,
        threshold: 351,
        checked_at: CHECKED_AT,
      },
      {
        partition: "MSFT",
        check_name: "row_count",
        severity: "warn",
        status: "pass",
        observed: transformed.batch.bars.filter(
          pl.col("symbol").eq(
            pl.lit("MSFT"),
          ),
        ).height,
        expected: 390,
        threshold: 351,
        checked_at: CHECKED_AT,
      },
    ]);
    const { rows: [all] } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM etl_checks WHERE run_id = $1",
      [runId],
    );
    assert.equal(all!.n, 2 * barChecks().length);
  },
);

dbTest(
  "qualityGate() takes a blocked partition out of the batch and keeps its records",
  async (db) => {
    const runId = await startRun(db.client);
    const { raw, valid, quarantine, transformed } = stages();
    const alerter = recorder();
    const gate = await qualityGate({
      dataset: {
        ...barsDataset,
        checks: barChecks({ rowCount: { severity: "blocking" } }),
      },
      valid,
      transformed,
      quarantine,
      now: NOW,
      client: db.client,
      runId,
      pipeline: "test",
      checkedAt: CHECKED_AT,
      alerter,
    });
    const symbols = (f: pl.DataFrame) =>
      f.getColumn("symbol").unique().sort().toArray();
    assert.deepEqual(gate.checks.blocked, ["AAPL"]);
    assert.deepEqual(symbols(gate.transformed.batch.bars), ["MSFT"]);
    assert.deepEqual(symbols(gate.transformed.batch.bars5m), ["MSFT"]);
    assert.deepEqual(symbols(gate.transformed.batch.bars1h), ["MSFT"]);
    assert.deepEqual(symbols(gate.valid), ["MSFT"]);
    const kept = gate.quarantine.filter(
      pl.col("field").eq(pl.lit("row_count")),
    );
    const aapl = transformed.batch.bars.filter(
      pl.col("symbol").eq(pl.lit("AAPL")),
    ).height;
    assert.equal(kept.height, aapl);
    assert.equal(gate.quarantine.height, quarantine.height + aapl);
    assert.match(
      kept.getColumn("reason").get(0),
      /^partition AAPL blocked by quality check row_count: AAPL has \d+ rows in bars_1m .*expected 390 .*at least 351 \(90%\) needed$/,
    );
    // The counts still reconcile.
    assert.equal(
      raw.height,
      gate.transformed.rows + gate.quarantine.height +
        gate.transformed.duplicates,
    );
    assert.deepEqual(
      alerter.alerts.map((a) => [a.kind, a.check, a.partition, a.run_id]),
      [["check_failed", "row_count", "AAPL", runId]],
    );
    assert.match(
      alerter.alerts[0]!.summary,
      /blocking check row_count failed on bars/,
    );
    const { rows } = await db.client.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM etl_checks
       WHERE run_id = $1 AND partition = 'AAPL' AND status <> 'pass'
       GROUP BY status ORDER BY status`,
      [runId],
    );
    assert.deepEqual(rows, [{ status: "fail", n: 1 }, {
      status: "warn",
      n: 1,
    }]);
  },
);
