/**
 * The platform captured day by day from a real MariaDB: the warehouse
 * equals the platform (every trade once, orders in their latest state,
 * current dimension versions equal the source rows), every change and
 * delete is in the SCD2 history at the capture that saw it, facts point at
 * the versions valid at their execution, and snapshot diffs give the same
 * dimensions as comparing every key.
 */
import assert from "node:assert/strict";
import { skipWithoutMariadb } from "../../_requires.ts";
import { openTestDatabase, type TestDatabase } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  accountOf,
  capture,
  createTestPlatform,
  generateDays,
  iso,
  ORDER_SOURCE_SQL,
  ORDER_WAREHOUSE_SQL,
  orderOfSource,
  orderOfWarehouse,
  sourceLines,
  stockOf,
  type TestPlatform,
  TRADE_SOURCE_SQL,
  TRADE_WAREHOUSE_SQL,
  tradeOfSource,
  tradeOfWarehouse,
  warehouseLines,
} from "./_platform.ts";

const ignore = await skipWithoutMariadb();

/** Three weekdays, captured at 23:00 UTC each. */
const AS_OF = [
  "2026-11-17T23:00:00.000Z",
  "2026-11-18T23:00:00.000Z",
  "2026-11-19T23:00:00.000Z",
];

type Versions = Map<
  string,
  { state: string; from: string; to: string | null }[]
>;

/** The versions the daily states imply: one per distinct consecutive state. */
function expectedVersions(days: Map<string, string>[]): Versions {
  const out: Versions = new Map();
  days.forEach((day, i) => {
    for (const [id, state] of day) {
      const list = out.get(id) ?? [];
      const last = list.at(-1);
      if (!last || last.to !== null || last.state !== state) {
        if (last && last.to === null) last.to = AS_OF[i]!;
        list.push({ state, from: AS_OF[i]!, to: null });
      }
      out.set(id, list);
    }
    for (const [id, list] of out) {
      const last = list.at(-1)!;
      if (!day.has(id) && last.to === null) last.to = AS_OF[i]!;
    }
  });
  return out;
}

async function dimVersions(
  client: SqlClient,
  table: string,
  key: string,
  attributes: string[],
): Promise<Versions> {
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT * FROM ${table} ORDER BY ${key}, valid_from, ${
      table === "dim_account" ? "account_key" : "stock_key"
    }`,
  );
  const out: Versions = new Map();
  for (const r of rows) {
    const id = String(r[key]);
    const list = out.get(id) ?? [];
    list.push({
      state: JSON.stringify(attributes.map((a) => r[a])),
      from: iso(r.valid_from),
      to: r.valid_to === null ? null : iso(r.valid_to),
    });
    out.set(id, list);
  }
  return out;
}

async function sourceStates(
  platform: TestPlatform,
  table: string,
  attributes: string[],
): Promise<Map<string, string>> {
  const [rows] = await platform.conn.query(`SELECT * FROM ${table}`);
  return new Map(
    (rows as Record<string, unknown>[]).map((r) => [
      String(r.id),
      JSON.stringify(attributes.map((a) => r[a])),
    ]),
  );
}

const ACCOUNT_ATTRS = ["name", "email", "tier", "country"];
const STOCK_ATTRS = ["symbol", "name", "sector", "exchange"];

Deno.test({
  name:
    "platform generate --days 3 captured day by day: the warehouse equals the platform",
  ignore,
  async fn() {
    const platform = await createTestPlatform();
    const diffed: TestDatabase = await openTestDatabase("pglite");
    const compared: TestDatabase = await openTestDatabase("pglite");
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_platform_" });
    const compareDir = await Deno.makeTempDir({ prefix: "sluice_platform_" });
    try {
      const accountDays: Map<string, string>[] = [];
      const stockDays: Map<string, string>[] = [];
      for (const asOf of AS_OF) {
        await generateDays(platform, asOf);
        accountDays.push(
          await sourceStates(platform, "accounts", ACCOUNT_ATTRS),
        );
        stockDays.push(await sourceStates(platform, "stocks", STOCK_ATTRS));
        await capture(platform, diffed.client, {
          dataDir,
          asOf: new Date(asOf),
        });
        await capture(platform, compared.client, {
          dataDir: compareDir,
          asOf: new Date(asOf),
          compare: true,
          pageSize: 37, // many keyset pages
        });
      }
      const { client } = diffed;

      // The generated days did change and delete reference rows.
      const accounts = expectedVersions(accountDays);
      const stocks = expectedVersions(stockDays);
      const changed = [...accounts.values()].filter((l) => l.length > 1);
      const deleted = [...stocks.values()].filter((l) => l.at(-1)!.to !== null);
      assert.ok(changed.length > 0, "some account changed tier");
      assert.ok(deleted.length > 0, "some stock was delisted");
      assert.ok(
        [...stocks.values()].some((l) => l.length > 1),
        "some stock's sector was renamed",
      );

      // Every trade once, every order in its latest state.
      const trades = await sourceLines(
        platform.conn,
        TRADE_SOURCE_SQL,
        tradeOfSource,
      );
      assert.ok(trades.length > 300, `trades: ${trades.length}`);
      assert.deepEqual(
        await warehouseLines(client, TRADE_WAREHOUSE_SQL, tradeOfWarehouse),
        trades,
      );
      assert.deepEqual(
        await warehouseLines(client, ORDER_WAREHOUSE_SQL, orderOfWarehouse),
        await sourceLines(platform.conn, ORDER_SOURCE_SQL, orderOfSource),
      );

      // Current versions equal the source rows.
      assert.deepEqual(
        await warehouseLines(
          client,
          "SELECT * FROM dim_account WHERE is_current",
          accountOf,
        ),
        await sourceLines(platform.conn, "SELECT * FROM accounts", accountOf),
      );
      assert.deepEqual(
        await warehouseLines(
          client,
          "SELECT * FROM dim_stock WHERE is_current",
          stockOf,
        ),
        await sourceLines(platform.conn, "SELECT * FROM stocks", stockOf),
      );

      // Every change and delete in the history, at the capture that saw it.
      assert.deepEqual(
        await dimVersions(client, "dim_account", "account_id", ACCOUNT_ATTRS),
        accounts,
      );
      assert.deepEqual(
        await dimVersions(client, "dim_stock", "stock_id", STOCK_ATTRS),
        stocks,
      );

      // Each fact row points at its account's and stock's version valid at
      // its execution (the first version for a trade older than all).
      for (
        const [dim, key, id] of [
          ["dim_account", "account_key", "account_id"],
          ["dim_stock", "stock_key", "stock_id"],
        ]
      ) {
        const { rows: [bad] } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM fact_trades f
           LEFT JOIN ${dim} d ON d.${key} = f.${key}
           WHERE d.${key} IS NULL OR d.${id} <> f.${id}::text
              OR (d.valid_from > f.executed_at AND EXISTS (
                    SELECT 1 FROM ${dim} x WHERE x.${id} = d.${id}
                      AND x.valid_from < d.valid_from))
              OR EXISTS (SELECT 1 FROM ${dim} y WHERE y.${id} = d.${id}
                           AND y.valid_from > d.valid_from
                           AND y.valid_from <= f.executed_at)`,
        );
        assert.equal(bad?.n, 0, `fact_trades.${key}`);
      }

      // Snapshot diffs were used after the first day, and give what
      // comparing every key gives.
      const { rows: methods } = await client.query<
        { dataset: string; method: string }
      >(
        `SELECT dataset, method FROM etl_db_extracts
         WHERE capture = 'snapshot_diff' ORDER BY as_of, dataset`,
      );
      assert.deepEqual(
        methods.map((m) => m.method),
        ["compare", "compare", "diff", "diff", "diff", "diff"],
      );
      for (
        const [dim, key, attrs] of [
          ["dim_account", "account_id", ACCOUNT_ATTRS],
          ["dim_stock", "stock_id", STOCK_ATTRS],
        ] as const
      ) {
        assert.deepEqual(
          await dimVersions(client, dim, key, [...attrs]),
          await dimVersions(compared.client, dim, key, [...attrs]),
          `${dim}: diff = compare`,
        );
      }

      // A re-run of the last day changes nothing.
      const again = await capture(platform, client, {
        dataDir,
        asOf: new Date(AS_OF[2]!),
      });
      for (const t of again.tables) {
        for (const r of t.results) {
          assert.equal(r.inserted + r.updated, 0, `${t.dataset} re-run`);
        }
      }
    } finally {
      await diffed.dispose();
      await compared.dispose();
      await platform.dispose();
      await Deno.remove(dataDir, { recursive: true });
      await Deno.remove(compareDir, { recursive: true });
    }
  },
});
