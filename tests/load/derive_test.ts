/**
 * Derived data recomputed from the warehouse: the correction and
 * re-send scenarios through whole file runs, on PGlite and (with
 * DATABASE_URL) a Postgres server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { dbTest, type TestDatabase } from "../_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import type { SqlClient } from "@pipeline/load/client.ts";

const clock = fixedClock("2026-11-20T21:30:00Z");

interface Bar {
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The 30 one-minute AAPL bars, 14:30–14:59 UTC, 1,000 + i shares. */
function thirtyBars(): Bar[] {
  return Array.from({ length: 30 }, (_, i) => {
    const close = 190 + i * 0.25;
    return {
      ts: `2026-11-20T14:${String(30 + i).padStart(2, "0")}:00Z`,
      open: close - 0.1,
      high: close + 0.2,
      low: close - 0.3,
      close,
      volume: 1000 + i,
    };
  });
}

async function writeCsv(dir: string, name: string, bars: Bar[]) {
  const path = join(dir, name);
  await Deno.writeTextFile(
    path,
    "symbol,ts,open,high,low,close,volume\n" +
      bars.map((b) =>
        `AAPL,${b.ts},${b.open},${b.high},${b.low},${b.close},${b.volume}`
      ).join("\n") + "\n",
  );
  return path;
}

async function runFile(db: TestDatabase, dataDir: string, input: string) {
  const cfg = parseRunConfig({ dataDir, source: "file", input });
  const source = await sourceFor(cfg, { clock });
  const summary = await runPipeline(source, {
    dataDir,
    snapshot: false,
  }, { client: db.client, clock });
  assert.equal(summary.status, "succeeded", summary.error ?? "");
  return summary;
}

/** Every row of a bar table without load_id, in key order, as JSON text. */
async function dump(client: SqlClient, table: string): Promise<string[]> {
  const { rows } = await client.query<{ row: string }>(
    `SELECT (to_jsonb(t) - 'load_id')::text AS row FROM ${table} t
     ORDER BY symbol, ts`,
  );
  return rows.map((r) => r.row);
}

const TABLES = ["bars_1m", "bars_5m", "bars_1h", "bars_1d"];

async function dumpAll(client: SqlClient) {
  return Object.fromEntries(
    await Promise.all(TABLES.map(async (t) => [t, await dump(client, t)])),
  );
}

dbTest(
  "a one-row correction recomputes bars_5m, bars_1h, bars_1d and the derived columns from the warehouse",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const bars = thirtyBars();
    await runFile(db, dir, await writeCsv(dir, "all.csv", bars));

    const corrected = { ...bars[7]!, high: 195, close: 194.5, volume: 1007 };
    const fixed = bars.map((b, i) => i === 7 ? corrected : b);
    const second = await runFile(
      db,
      dir,
      await writeCsv(dir, "fix.csv", [corrected]),
    );

    const { rows: hour } = await db.client.query(
      `SELECT bar_count, volume, high FROM bars_1h WHERE symbol = 'AAPL'`,
    );
    assert.deepEqual(hour, [{
      bar_count: 30,
      volume: fixed.reduce((n, b) => n + b.volume, 0),
      high: Math.max(...fixed.map((b) => b.high)),
    }]);
    const { rows: five } = await db.client.query(
      `SELECT bar_count, close FROM bars_5m
        WHERE symbol = 'AAPL' AND ts = '2026-11-20T14:35:00Z'`,
    );
    assert.deepEqual(five, [{ bar_count: 5, close: fixed[9]!.close }]);

    // Counts are the statement's: one bar updated, and after it the return
    // of 14:38, the moving averages of 14:38-14:56 and the VWAP of
    // 14:38-14:59 changed (22 rows); one bucket of each aggregate.
    const byTable = Object.fromEntries(second.tables.map((t) => [t.table, t]));
    assert.deepEqual(byTable.bars_1m, {
      table: "bars_1m",
      rows: 1,
      inserted: 0,
      updated: 1,
      unchanged: 0,
      recomputed: 22,
      dates: ["2026-11-20"],
    });
    for (const t of ["bars_5m", "bars_1h", "bars_1d"]) {
      assert.deepEqual(
        byTable[t],
        { table: t, rows: 1, inserted: 0, updated: 1, unchanged: 0 },
        t,
      );
    }

    // The same tables as one load of the corrected data.
    const once = await Deno.makeTempDir();
    const after = await dumpAll(db.client);
    await db.client.exec(
      "TRUNCATE bars_1m, bars_5m, bars_1h, bars_1d, etl_watermarks",
    );
    await runFile(db, once, await writeCsv(once, "fixed.csv", fixed));
    assert.deepEqual(after, await dumpAll(db.client));
  },
);

dbTest(
  "re-sending an identical subset updates nothing and keeps returns and moving averages",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const bars = thirtyBars();
    await runFile(db, dir, await writeCsv(dir, "all.csv", bars));
    const before = await dumpAll(db.client);
    // Of the re-sent 14:42-14:59, every bar has a return and a VWAP, and
    // those from the 20th bar on (14:49) their moving averages.
    const derivedCounts = async () =>
      (await db.client.query(
        `SELECT count(ret)::int AS ret, count(ma_close_20)::int AS ma,
                count(vwap)::int AS vwap FROM bars_1m
          WHERE ts >= '2026-11-20T14:42:00Z'`,
      )).rows;
    assert.deepEqual(await derivedCounts(), [{ ret: 18, ma: 11, vwap: 18 }]);

    const again = await runFile(
      db,
      dir,
      await writeCsv(dir, "subset.csv", bars.slice(12)),
    );
    for (const t of again.tables) {
      assert.equal(t.inserted + t.updated, 0, `${t.table} changed`);
      assert.equal(t.recomputed, undefined, `${t.table} recomputed`);
    }
    assert.deepEqual(again.tables.map((t) => [t.table, t.unchanged]), [
      ["bars_1m", 18],
      ["bars_5m", 4],
      ["bars_1h", 1],
      ["bars_1d", 1],
    ]);
    assert.deepEqual(await derivedCounts(), [{ ret: 18, ma: 11, vwap: 18 }]);
    assert.deepEqual(await dumpAll(db.client), before);
  },
);
