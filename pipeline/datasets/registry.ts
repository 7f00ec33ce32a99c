/**
 * The registry of datasets: the one place that lists them. Everything that
 * depends on which datasets exist (the sources each engine delivers,
 * `--dataset` choices, the lake's tables, reset, retention, diffs) derives
 * from this list. Adding a dataset is its folder and one line here.
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { weatherDataset } from "@pipeline/datasets/weather/mod.ts";
import { symbolsDataset } from "@pipeline/datasets/symbols/mod.ts";
import { eodDataset } from "@pipeline/datasets/eod/mod.ts";
import { priceVolumeDataset } from "@pipeline/datasets/price_volume/mod.ts";
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import { platformStocksDataset } from "@pipeline/datasets/platform_stocks/mod.ts";
import { platformAccountsDataset } from "@pipeline/datasets/platform_accounts/mod.ts";
import { platformOrdersDataset } from "@pipeline/datasets/platform_orders/mod.ts";
import { platformTradesDataset } from "@pipeline/datasets/platform_trades/mod.ts";

/** Every dataset, in the order help and listings show them. */
// deno-lint-ignore no-explicit-any
export const DATASET_LIST: readonly Dataset<any>[] = Object.freeze([
  barsDataset,
  weatherDataset,
  symbolsDataset,
  eodDataset,
  priceVolumeDataset,
]);

/** Every dataset by its name. */
// deno-lint-ignore no-explicit-any
export const DATASETS: Readonly<Record<string, Dataset<any>>> = Object.freeze(
  Object.fromEntries(DATASET_LIST.map((d) => [d.name, d])),
);

/**
 * The tables of operational source databases (`--source mysql|postgres`),
 * in load order: dimensions before the facts that point at them.
 */
export const TABLE_DATASET_LIST: readonly TableDataset[] = Object.freeze([
  platformStocksDataset,
  platformAccountsDataset,
  platformOrdersDataset,
  platformTradesDataset,
]);
