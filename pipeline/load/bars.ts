// AUTO-GENERATED from notebooks/04a_load_bars.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/04a_load_bars.ipynb#module
/**
 * The load mapping of bars: which frame goes to which table.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  type FactTableSpec,
  upsertFrame,
  type UpsertResult,
} from "@pipeline/load/upsert.ts";

// %% notebooks/04a_load_bars.ipynb#ohlcv
const OHLCV = ["symbol", "ts", "open", "high", "low", "close", "volume"];

// %% notebooks/04a_load_bars.ipynb#bars-1-m
/** One-minute bars with their derived columns. */
export const BARS_1M: FactTableSpec = {
  name: "bars_1m",
  entity: "symbol",
  time: "ts",
  columns: [...OHLCV, "ret", "ma_close_20", "ma_volume_20", "vwap"],
};

// %% notebooks/04a_load_bars.ipynb#bars-5-m
/** 5-minute aggregate bars. */
export const BARS_5M: FactTableSpec = {
  name: "bars_5m",
  entity: "symbol",
  time: "ts",
  columns: [...OHLCV, "vwap", "bar_count"],
};

// %% notebooks/04a_load_bars.ipynb#bars-1-h
/** 1-hour aggregate bars. */
export const BARS_1H: FactTableSpec = { ...BARS_5M, name: "bars_1h" };

// %% notebooks/04a_load_bars.ipynb#bar-batch
/** The frames of one run's bars, as the transform made them. */
export interface BarBatch {
  bars: pl.DataFrame;
  bars5m: pl.DataFrame;
  bars1h: pl.DataFrame;
}

// %% notebooks/04a_load_bars.ipynb#load-bars-options
/** Options of {@link loadBars}. */
export interface LoadBarsOptions {
  /** The run id, stored as `load_id` on every row written. */
  loadId: string;
}

// %% notebooks/04a_load_bars.ipynb#load-bars
/**
 * Upserts a batch into bars_1m, bars_5m and bars_1h inside `tx` (the
 * caller's transaction).
 */
export async function loadBars(
  tx: SqlClient,
  batch: BarBatch,
  options: LoadBarsOptions,
): Promise<UpsertResult[]> {
  const { loadId } = options;
  return [
    await upsertFrame(tx, BARS_1M, batch.bars, { loadId }),
    await upsertFrame(tx, BARS_5M, batch.bars5m, { loadId }),
    await upsertFrame(tx, BARS_1H, batch.bars1h, { loadId }),
  ];
}
