// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#mod
/**
 * The eod dataset: daily OHLCV bars per symbol, from a file (with a
 * symbol) or Alpha Vantage's `TIME_SERIES_DAILY`, into `eod_bars` and the
 * lake by year. Generated from `notebooks/08_dataset_eod.ipynb`.
 * @module
 */
import type {} from "@pipeline/datasets/eod/tables.ts";
export type * from "@pipeline/datasets/eod/tables.ts";
export * from "@pipeline/datasets/eod/contract.ts";
export * from "@pipeline/datasets/eod/limits.ts";
export * from "@pipeline/datasets/eod/validate.ts";
export * from "@pipeline/datasets/eod/transform.ts";
export * from "@pipeline/datasets/eod/resource.ts";
export * from "@pipeline/datasets/eod/derived.ts";
export * from "@pipeline/datasets/eod/load.ts";
export * from "@pipeline/datasets/eod/checks.ts";
export * from "@pipeline/datasets/eod/lake.ts";
export * from "@pipeline/datasets/eod/file_source.ts";
export * from "@pipeline/datasets/eod/alphavantage.ts";
export * from "@pipeline/datasets/eod/sources.ts";
export * from "@pipeline/datasets/eod/dataset.ts";
