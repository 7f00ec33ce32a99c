/**
 * The platform's `accounts` (no timestamp column): captured by snapshot
 * diff into the type 2 dimension `dim_account`.
 * @module
 */
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import type { Scd2TableSpec } from "@pipeline/warehouse/scd2.ts";
import { mergeStagedScd2 } from "@pipeline/warehouse/scd2_staged.ts";

/** A version per change of an account's attributes. */
export const DIM_ACCOUNT: Scd2TableSpec = Object.freeze({
  name: "dim_account",
  key: "account_id",
  attributes: ["name", "email", "tier", "country"],
});

/** `accounts` → `dim_account`. */
export const platformAccountsDataset: TableDataset = {
  name: "platform_accounts",
  sourceTable: "accounts",
  key: "id",
  columns: [
    { name: "id", type: "bigint" },
    { name: "name", type: "text" },
    { name: "email", type: "text" },
    { name: "tier", type: "text" },
    { name: "country", type: "text" },
  ],
  capture: { mode: "snapshot_diff" },
  warehouseTables: ["dim_account"],
  load: async (tx, staged, context) => [
    await mergeStagedScd2(tx, DIM_ACCOUNT, staged, context, "id"),
  ],
};
