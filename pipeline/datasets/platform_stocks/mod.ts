/**
 * The platform's `stocks` listing (no timestamp column; a delisted stock's
 * row is deleted): captured by snapshot diff into the type 2 dimension
 * `dim_stock`, where a deleted row closes its version.
 * @module
 */
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import type { Scd2TableSpec } from "@pipeline/warehouse/scd2.ts";
import { mergeStagedScd2 } from "@pipeline/warehouse/scd2_staged.ts";

/** A version per change of a stock's listing. */
export const DIM_STOCK: Scd2TableSpec = Object.freeze({
  name: "dim_stock",
  key: "stock_id",
  attributes: ["symbol", "name", "sector", "exchange"],
});

/** `stocks` → `dim_stock`. */
export const platformStocksDataset: TableDataset = {
  name: "platform_stocks",
  sourceTable: "stocks",
  key: "id",
  columns: [
    { name: "id", type: "bigint" },
    { name: "symbol", type: "text" },
    { name: "name", type: "text" },
    { name: "sector", type: "text" },
    { name: "exchange", type: "text" },
  ],
  capture: { mode: "snapshot_diff" },
  warehouseTables: ["dim_stock"],
  load: async (tx, staged, context) => [
    await mergeStagedScd2(tx, DIM_STOCK, staged, context, "id"),
  ],
};
