// AUTO-GENERATED from notebooks/04a_load_bars.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/04a_load_bars.ipynb#module
/**
 * The load mapping of bars: the one-minute bars are merged into `bars_1m`.
 * The derived assets (`bars_1m`'s returns, moving averages and VWAP,
 * `bars_5m`, `bars_1h`, `bars_1d`, declared with the dataset in
 * `@pipeline/datasets/bars/derived.ts`) are recomputed from the warehouse
 * after it by the generic load (`loadDataset()` of
 * `@pipeline/datasets/load_dataset.ts`), in the same transaction.
 * @module
 */
import type pl from "nodejs-polars";
import { z } from "zod";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { defineResource, type ResourceSpec } from "@pipeline/load/resource.ts";
import { writeResource } from "@pipeline/load/write.ts";
import { BARS_1M_COLUMNS } from "@pipeline/datasets/bars/derived.ts";

// %% notebooks/04a_load_bars.ipynb#ohlcv
/** The OHLCV columns every bar table starts with, as a zod shape. */
const OHLCV = {
  symbol: z.string(),
  ts: z.date(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
};

// %% notebooks/04a_load_bars.ipynb#bars-1-m
/**
 * One-minute bars with their derived columns: merged by (symbol, ts),
 * comparing OHLCV (and extra fields) only; the derived columns are
 * recomputed from the warehouse after the merge.
 */
export const BARS_1M: ResourceSpec = defineResource({
  name: "bars_1m",
  primaryKey: ["symbol", "ts"],
  cursor: "ts",
  writeMode: "merge",
  derivedColumns: Object.keys(BARS_1M_COLUMNS.columns),
  // A new source field first seen as whole numbers (bigint) may later bring
  // decimals: that widening is safe, every other type change is refused.
  widenings: [{ from: "bigint", to: "double precision" }],
  schema: z.object({
    ...OHLCV,
    ret: z.number().nullable(),
    ma_close_20: z.number().nullable(),
    ma_volume_20: z.number().nullable(),
    vwap: z.number().nullable(),
  }),
});

// %% notebooks/04a_load_bars.ipynb#bars-5-m
/**
 * 5-minute aggregate bars, keyed by (symbol, bucket start): the shape of
 * the table its derived asset writes.
 */
export const BARS_5M: ResourceSpec = defineResource({
  name: "bars_5m",
  primaryKey: ["symbol", "ts"],
  cursor: "ts",
  writeMode: "merge",
  schema: z.object({
    ...OHLCV,
    vwap: z.number().nullable(),
    bar_count: z.number().int(),
  }),
});

// %% notebooks/04a_load_bars.ipynb#bars-1-h
/** 1-hour aggregate bars. */
export const BARS_1H: ResourceSpec = defineResource({
  ...BARS_5M,
  name: "bars_1h",
});

/** Daily aggregate bars (UTC days). */
export const BARS_1D: ResourceSpec = defineResource({
  ...BARS_5M,
  name: "bars_1d",
});

// %% notebooks/04a_load_bars.ipynb#bar-batch
/**
 * The frames of one run's bars, as the transform made them. Only `bars` is
 * loaded; `bars5m` and `bars1h` are the batch's own buckets, for the
 * quality checks.
 */
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
  /** The source, recorded with schema changes (new fields). */
  source?: string | undefined;
  /** Told the rows of each COPY chunk sent (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

// %% notebooks/04a_load_bars.ipynb#load-bars
/**
 * Merges a batch's one-minute bars into bars_1m inside `tx` (the caller's
 * transaction), comparing OHLCV (and extra fields) only; the batch's
 * derived columns are written for new rows. Returns what happened to
 * bars_1m. The derived assets are the generic load's next step
 * (`loadDataset()`), not this function's.
 */
export async function loadBars(
  tx: SqlClient,
  batch: BarBatch,
  options: LoadBarsOptions,
): Promise<UpsertResult[]> {
  return [await writeResource(tx, BARS_1M, batch.bars, options)];
}
