/**
 * The platform's `orders`: captured incrementally by `updated_at` (with a
 * lag for transactions that commit late) into `fact_orders`, one row per
 * order in its latest state.
 * @module
 */
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import { upsertStaged } from "@pipeline/load/staged_upsert.ts";

/** `orders` → `fact_orders`. */
export const platformOrdersDataset: TableDataset = {
  name: "platform_orders",
  sourceTable: "orders",
  key: "id",
  columns: [
    { name: "id", type: "bigint" },
    { name: "account_id", type: "bigint" },
    { name: "stock_id", type: "bigint" },
    { name: "side", type: "text" },
    { name: "quantity", type: "int" },
    { name: "limit_price", type: "numeric" },
    { name: "status", type: "text" },
    { name: "created_at", type: "timestamp" },
    { name: "updated_at", type: "timestamp" },
  ],
  capture: { mode: "incremental", cursor: "updated_at", lagMs: 30 * 60_000 },
  warehouseTables: ["fact_orders"],
  load: async (tx, staged, { loadId }) => [
    await upsertStaged(tx, {
      target: "fact_orders",
      stage: staged.table,
      key: "order_id",
      loadId,
      uncompared: ["load_id"],
      columns: {
        order_id: "s.id",
        account_id: "s.account_id",
        stock_id: "s.stock_id",
        side: "s.side",
        quantity: "s.quantity",
        limit_price: "s.limit_price",
        status: "s.status",
        created_at: "s.created_at",
        updated_at: "s.updated_at",
        load_id: "$1::uuid",
      },
    }),
  ],
};
