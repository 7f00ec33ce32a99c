// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#lake
/**
 * The lake layout of eod.
 * @module
 */
import type { LakeTable } from "@pipeline/datasets/dataset.ts";

/**
 * `eod_bars` in the lake: one Parquet file per UTC year (`year=2020`),
 * keyed by (symbol, ts) for diffs.
 */
export const EOD_LAKE_TABLES: readonly LakeTable[] = Object.freeze([
  Object.freeze({
    name: "eod_bars",
    dateColumn: "ts",
    granularity: "year",
    key: ["symbol", "ts"],
  }),
]);
