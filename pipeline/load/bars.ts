/**
 * The load mapping of bars: which frame goes to which table, and the
 * quarantine. Everything of one run is loaded in one transaction.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  type FactTableSpec,
  upsertFrame,
  type UpsertResult,
} from "@pipeline/load/upsert.ts";
import { frameToCsv } from "@pipeline/load/_copy.ts";
import { QUARANTINE_COLUMNS } from "@pipeline/bars.ts";

const OHLCV = ["symbol", "ts", "open", "high", "low", "close", "volume"];

/** One-minute bars with their derived columns. */
export const BARS_1M: FactTableSpec = {
  name: "bars_1m",
  entity: "symbol",
  time: "ts",
  columns: [...OHLCV, "ret", "ma_close_20", "ma_volume_20", "vwap"],
};

/** 5-minute aggregate bars. */
export const BARS_5M: FactTableSpec = {
  name: "bars_5m",
  entity: "symbol",
  time: "ts",
  columns: [...OHLCV, "vwap", "bar_count"],
};

/** 1-hour aggregate bars. */
export const BARS_1H: FactTableSpec = { ...BARS_5M, name: "bars_1h" };

/** The frames of one run's bars, as the transform made them. */
export interface BarBatch {
  bars: pl.DataFrame;
  bars5m: pl.DataFrame;
  bars1h: pl.DataFrame;
  /** The quarantine frame of the validate stage. */
  quarantine: pl.DataFrame;
}

/** What {@link loadBars} wrote. */
export interface LoadResult {
  tables: UpsertResult[];
  /** Rejected records in the batch, and how many were not already kept. */
  quarantine: { rows: number; inserted: number };
}

/** Options of {@link loadBars}. */
export interface LoadBarsOptions {
  /** The run id, stored as `load_id` on every row written. */
  loadId: string;
  /** The source name, kept with quarantined records. */
  source: string;
}

/**
 * Loads a batch into the warehouse inside `tx` (the caller's transaction):
 * facts are upserted, rejected records kept in `quarantine` once each.
 */
export async function loadBars(
  tx: SqlClient,
  batch: BarBatch,
  options: LoadBarsOptions,
): Promise<LoadResult> {
  const { loadId, source } = options;
  const tables = [
    await upsertFrame(tx, BARS_1M, batch.bars, { loadId }),
    await upsertFrame(tx, BARS_5M, batch.bars5m, { loadId }),
    await upsertFrame(tx, BARS_1H, batch.bars1h, { loadId }),
  ];
  const inserted = await loadQuarantine(tx, batch.quarantine, {
    loadId,
    source,
  });
  return {
    tables,
    quarantine: { rows: batch.quarantine.height, inserted },
  };
}

/**
 * Keeps rejected records. A record rejected again by a re-run (same source,
 * record, field, reason and raw text) is kept once: its fingerprint is unique.
 * Returns the number of records not already kept.
 */
export async function loadQuarantine(
  tx: SqlClient,
  quarantine: pl.DataFrame,
  options: LoadBarsOptions,
): Promise<number> {
  if (quarantine.height === 0) return 0;
  await tx.exec(
    `CREATE TEMP TABLE stage_quarantine (
       record text, symbol text, ts text, field text, reason text, raw text
     ) ON COMMIT DROP`,
  );
  await tx.copyFrom(
    `COPY stage_quarantine FROM STDIN (FORMAT csv)`,
    frameToCsv(quarantine, QUARANTINE_COLUMNS),
  );
  const { rowCount } = await tx.query(
    `INSERT INTO quarantine
       (fingerprint, load_id, source, record, symbol, ts, field, reason, raw)
     SELECT md5(concat_ws(E'\\x1f', $2::text, record, field, reason, raw)),
            $1::uuid, $2::text, record, symbol, ts, field, reason, raw
     FROM stage_quarantine
     ON CONFLICT (fingerprint) DO NOTHING`,
    [options.loadId, options.source],
  );
  await tx.exec(`DROP TABLE stage_quarantine`);
  return rowCount;
}
