/**
 * The lake's debt end to end in process: what a load records, what
 * `status` shows, and `payLakeDebt()` writing exactly the owed partitions.
 */
import assert from "node:assert/strict";
import { dbTest, type TestDatabase } from "../_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import {
  clearLakeDebt,
  readLakeDebt,
  recordLakeDebt,
} from "@pipeline/snapshot/debt.ts";
import { payLakeDebt } from "@pipeline/snapshot/pay.ts";
import { snapshotTables } from "@pipeline/snapshot/lake.ts";
import { readStatus } from "@pipeline/ops/status.ts";
import {
  assertLakeEqualsWarehouse,
  compareTable,
  stagingLeftovers,
} from "./_lake_equal.ts";

const AS_OF = "2026-11-20T21:30:00Z";
const clock = fixedClock(AS_OF);

async function load(
  db: TestDatabase,
  dataDir: string,
  snapshot: boolean,
  sessions = 2,
) {
  const cfg = parseRunConfig({
    dataDir,
    symbols: ["AAPL", "MSFT"],
    sessions,
    defectRate: 0.02,
  });
  const source = await sourceFor(cfg, { clock });
  const summary = await runPipeline(source, { dataDir, snapshot }, {
    client: db.client,
    clock,
  });
  assert.equal(summary.status, "succeeded", summary.error ?? "");
  return summary;
}

async function distinctDates(db: TestDatabase, table: string, col: string) {
  const { rows } = await db.client.query<{ d: string }>(
    `SELECT DISTINCT to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d
     FROM ${table} ORDER BY 1`,
  );
  return rows.map((r) => `date=${r.d}`);
}

dbTest(
  "a run with --no-snapshot leaves its partitions owed; payLakeDebt() writes exactly them, removes leftovers and clears them",
  async (db) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice-debt-" });
    try {
      const summary = await load(db, dataDir, false);
      assert.equal(summary.snapshot, null);
      const debts = await readLakeDebt(db.client);
      const owed = (table: string) =>
        debts.filter((d) => d.table === table).map((d) => d.partition);
      for (const t of ["bars_1m", "bars_5m", "bars_1h"]) {
        assert.deepEqual(owed(t), await distinctDates(db, "bars_1m", "ts"), t);
      }
      // Daily bars' lake is cut by month: both days owe one partition.
      assert.deepEqual(owed("bars_1d"), ["month=2026-11"]);
      assert.deepEqual(owed("quarantine"), ["date=2026-11-20"]);
      assert.ok(debts.every((d) => d.loadId === summary.run_id));

      const status = await readStatus(db.client, { now: clock.now() });
      assert.deepEqual(
        status.lake_debt.map((d) => [d.table, d.partitions]),
        [
          ["bars_1d", 1],
          ["bars_1h", 2],
          ["bars_1m", 2],
          ["bars_5m", 2],
          ["quarantine", 1],
        ],
      );

      // A staging directory a killed snapshot left behind.
      await Deno.mkdir(`${dataDir}/lake/.staging-dead/bars_1m`, {
        recursive: true,
      });
      await Deno.writeTextFile(
        `${dataDir}/lake/.staging-dead/bars_1m.0.csv`,
        "x",
      );

      const paid = await payLakeDebt(db.client, {
        dataDir,
        tables: lakeTables(DATASETS),
        clock,
      });
      assert.equal(paid.owed, 8);
      assert.equal(paid.paid, 8);
      assert.equal(paid.leftovers.length, 1);
      assert.deepEqual(await stagingLeftovers(dataDir), []);
      assert.deepEqual(
        paid.tables.map((t) => [t.name, t.files.length]),
        [
          ["bars_1m", 2],
          ["bars_5m", 2],
          ["bars_1h", 2],
          ["bars_1d", 1],
          ["quarantine", 1],
        ],
      );
      assert.deepEqual(await readLakeDebt(db.client), []);
      await assertLakeEqualsWarehouse(db.client, dataDir);
      const status2 = await readStatus(db.client, { now: clock.now() });
      assert.deepEqual(status2.lake_debt, []);

      const again = await payLakeDebt(db.client, {
        dataDir,
        tables: lakeTables(DATASETS),
        clock,
      });
      assert.deepEqual([again.owed, again.paid, again.duckdbPath], [
        0,
        0,
        null,
      ]);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "a run pays the debt a predecessor left: the lake ends equal to the warehouse",
  async (db) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice-debt-" });
    try {
      await load(db, dataDir, false);
      // The second run loads only the last session: the first session's
      // partitions reach the lake only as the predecessor's debt.
      const second = await load(db, dataDir, true, 1);
      // bars_1d's month partition is named by its first day.
      assert.deepEqual(second.snapshot?.dates, [
        "2026-11-01",
        "2026-11-19",
        "2026-11-20",
      ]);
      assert.deepEqual(await readLakeDebt(db.client), []);
      await assertLakeEqualsWarehouse(db.client, dataDir);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "clearLakeDebt() keeps a partition a later load dirtied again, with its first time",
  async (db) => {
    const table = {
      name: "bars_1d",
      dateColumn: "ts",
      granularity: "month",
    } as const;
    const t0 = new Date("2026-11-20T10:00:00Z");
    const t1 = new Date("2026-11-20T11:00:00Z");
    await recordLakeDebt(db.client, {
      loadId: "load-1",
      now: t0,
      dirty: [{ table, dates: ["2026-11-03", "2026-11-20", "2026-12-01"] }],
    });
    const read = await readLakeDebt(db.client);
    assert.deepEqual(read.map((d) => d.partition), [
      "month=2026-11",
      "month=2026-12",
    ]);
    await recordLakeDebt(db.client, {
      loadId: "load-2",
      now: t1,
      dirty: [{ table, dates: ["2026-11-21"] }],
    });
    assert.equal(await clearLakeDebt(db.client, read), 1);
    const left = await readLakeDebt(db.client);
    assert.deepEqual(
      left.map((d) => [d.partition, d.loadId, d.recordedAt.toISOString()]),
      [["month=2026-11", "load-2", t0.toISOString()]],
    );
  },
);

dbTest(
  "snapshotTables() cuts a table by month: one file per month, a view with the month, catalog in step",
  async (db) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice-debt-" });
    const lakeDir = await Deno.makeTempDir({ prefix: "sluice-month-" });
    try {
      await load(db, dataDir, false);
      const table = {
        name: "bars_1h",
        dateColumn: "ts",
        granularity: "month",
      } as const;
      const dates = (await distinctDates(db, "bars_1h", "ts")).map((d) =>
        d.slice(5)
      );
      const snap = await snapshotTables({
        client: db.client,
        dataDir: lakeDir,
        dates,
        tables: [table],
        clock,
      });
      assert.deepEqual(snap.tables[0]!.dates, ["2026-11-01"]);
      assert.ok(
        snap.tables[0]!.files[0]!.endsWith(
          "/lake/bars_1h/month=2026-11/data_0.parquet",
        ),
      );
      const c = await compareTable(db.client, lakeDir, table);
      assert.deepEqual(c.lake, c.warehouse);
      assert.equal(c.view, c.warehouse.rows);
      assert.equal(c.catalog, c.warehouse.rows);

      // Debt recorded by day for a table cut by month is paid by month.
      await db.client.exec("DELETE FROM etl_lake_debt");
      await recordLakeDebt(db.client, {
        loadId: "by-day",
        now: clock.now(),
        dirty: [{ table: { name: "bars_1h", dateColumn: "ts" }, dates }],
      });
      const paid = await payLakeDebt(db.client, {
        dataDir: lakeDir,
        tables: [table],
        clock,
      });
      assert.equal(paid.paid, dates.length);
      assert.deepEqual(paid.tables[0]!.dates, ["2026-11-01"]);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
      await Deno.remove(lakeDir, { recursive: true });
    }
  },
);
