/**
 * The platform's `trades`: captured incrementally by `updated_at` (a late
 * trade is booked with a late `created_at`/`updated_at`, a correction moves
 * `updated_at`) into the transactional fact `fact_trades`, keyed by trade
 * id, each row pointing at the `dim_account` and `dim_stock` versions valid
 * at its execution.
 *
 * "Valid at its execution" is the newest version opened at or before
 * `executed_at`; a trade older than every version of its account or stock
 * (the dimension's history starts at its first capture) points at the
 * first one. Trades loaded before their dimension had any version (a run
 * with `--tables trades`) are resolved by the next load.
 * @module
 */
import type { TableDataset } from "@pipeline/datasets/table_dataset.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { upsertStaged } from "@pipeline/load/staged_upsert.ts";

/** The surrogate key of `dim`'s version of `id` valid at `at` (SQL). */
function versionAt(
  dim: string,
  key: string,
  surrogate: string,
  id: string,
  at: string,
) {
  return `coalesce(
    (SELECT d.${surrogate} FROM ${dim} d WHERE d.${key} = ${id}::text
       AND d.valid_from <= ${at}
     ORDER BY d.valid_from DESC, d.${surrogate} DESC LIMIT 1),
    (SELECT d.${surrogate} FROM ${dim} d WHERE d.${key} = ${id}::text
     ORDER BY d.valid_from, d.${surrogate} LIMIT 1))`;
}

/** Points fact rows still without a dimension version at theirs. */
async function resolveKeys(tx: SqlClient): Promise<void> {
  await tx.exec(
    `UPDATE fact_trades f SET
       account_key = ${
      versionAt(
        "dim_account",
        "account_id",
        "account_key",
        "f.account_id",
        "f.executed_at",
      )
    },
       stock_key = ${
      versionAt(
        "dim_stock",
        "stock_id",
        "stock_key",
        "f.stock_id",
        "f.executed_at",
      )
    }
     WHERE f.account_key IS NULL OR f.stock_key IS NULL`,
  );
}

/** `trades` → `fact_trades`. */
export const platformTradesDataset: TableDataset = {
  name: "platform_trades",
  sourceTable: "trades",
  key: "id",
  columns: [
    { name: "id", type: "bigint" },
    { name: "order_id", type: "bigint" },
    { name: "account_id", type: "bigint" },
    { name: "stock_id", type: "bigint" },
    { name: "side", type: "text" },
    { name: "quantity", type: "int" },
    { name: "price", type: "numeric" },
    { name: "executed_at", type: "timestamp" },
    { name: "created_at", type: "timestamp" },
    { name: "updated_at", type: "timestamp" },
  ],
  capture: { mode: "incremental", cursor: "updated_at", lagMs: 30 * 60_000 },
  warehouseTables: ["fact_trades"],
  async load(tx, staged, { loadId }) {
    const result = await upsertStaged(tx, {
      target: "fact_trades",
      stage: staged.table,
      key: "trade_id",
      loadId,
      uncompared: ["load_id"],
      columns: {
        trade_id: "s.id",
        order_id: "s.order_id",
        account_id: "s.account_id",
        stock_id: "s.stock_id",
        account_key: versionAt(
          "dim_account",
          "account_id",
          "account_key",
          "s.account_id",
          "s.executed_at",
        ),
        stock_key: versionAt(
          "dim_stock",
          "stock_id",
          "stock_key",
          "s.stock_id",
          "s.executed_at",
        ),
        side: "s.side",
        quantity: "s.quantity",
        price: "s.price",
        amount: "s.quantity * s.price",
        executed_at: "s.executed_at",
        created_at: "s.created_at",
        updated_at: "s.updated_at",
        load_id: "$1::uuid",
      },
    });
    await resolveKeys(tx);
    return [result];
  },
};
