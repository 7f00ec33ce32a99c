/**
 * The datasets Sluice loads: the `Dataset` interface, the registry and the
 * generic engines fed by a dataset's declaration (load, lake tables).
 * Each dataset's own modules live in its folder (`bars/`, `weather/`,
 * `symbols/`).
 * @module
 */
export * from "@pipeline/datasets/dataset.ts";
export {
  DATASET_LIST,
  DATASETS,
  TABLE_DATASET_LIST,
} from "@pipeline/datasets/registry.ts";
export type * from "@pipeline/datasets/table_dataset.ts";
export {
  SOURCE_DATASETS,
  sourceDatasets,
} from "@pipeline/datasets/source_datasets.ts";
export { barsDataset } from "@pipeline/datasets/bars/mod.ts";
export * from "@pipeline/datasets/bars/derived.ts";
export { weatherDataset } from "@pipeline/datasets/weather/mod.ts";
export { symbolsDataset } from "@pipeline/datasets/symbols/mod.ts";
export {
  lakeTables,
  QUARANTINE_LAKE_TABLE,
  type ResolvedLakeTable,
} from "@pipeline/datasets/lake_tables.ts";
export { loadDataset } from "@pipeline/datasets/load_dataset.ts";
export { datasetsWithJoinWait } from "@pipeline/datasets/join_wait.ts";
