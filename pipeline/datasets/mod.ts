/**
 * The datasets Sluice loads, by name.
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { weatherDataset } from "@pipeline/datasets/weather/mod.ts";
import { symbolsDataset } from "@pipeline/datasets/symbols/mod.ts";

export * from "@pipeline/datasets/dataset.ts";
export { barsDataset } from "@pipeline/datasets/bars/mod.ts";
export * from "@pipeline/datasets/bars/derived.ts";
export { weatherDataset } from "@pipeline/datasets/weather/mod.ts";
export { symbolsDataset } from "@pipeline/datasets/symbols/mod.ts";
export {
  lakeTables,
  QUARANTINE_LAKE_TABLE,
} from "@pipeline/datasets/lake_tables.ts";

/** Every dataset, by the name a source declares. */
// deno-lint-ignore no-explicit-any
export const DATASETS: Readonly<Record<string, Dataset<any>>> = {
  bars: barsDataset,
  weather: weatherDataset,
  symbols: symbolsDataset,
};
