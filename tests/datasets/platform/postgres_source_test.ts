/**
 * The same engine reads a Postgres source through `pg`: the platform's
 * accounts (snapshot diff) and trades (incremental) copied into Postgres
 * and captured from there equal the rows they came from.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { skipWithoutMariadb } from "../../_requires.ts";
import {
  createServerDatabase,
  openTestDatabase,
  SERVER_URL,
  SKIP_SERVER_TESTS,
} from "../../_db.ts";
import { postgresReader } from "@pipeline/extract/database/reader.ts";
import { captureDatabase } from "@pipeline/extract/database/run.ts";
import { platformAccountsDataset } from "@pipeline/datasets/platform_accounts/mod.ts";
import { platformTradesDataset } from "@pipeline/datasets/platform_trades/mod.ts";
import {
  accountOf,
  createTestPlatform,
  generateDays,
  sourceLines,
  TRADE_SOURCE_SQL,
  TRADE_WAREHOUSE_SQL,
  tradeOfSource,
  tradeOfWarehouse,
  warehouseLines,
} from "./_platform.ts";

const ignore = SKIP_SERVER_TESTS || await skipWithoutMariadb();

Deno.test({
  name:
    "a Postgres source through pg: accounts by snapshot diff, trades incrementally",
  ignore,
  async fn() {
    const platform = await createTestPlatform();
    const source = await createServerDatabase(SERVER_URL!);
    const warehouse = await openTestDatabase("pglite");
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_pgsource_" });
    const pgc = new pg.Client({ connectionString: source.url });
    await pgc.connect();
    try {
      await generateDays(platform, "2026-11-17T23:00:00Z");
      await pgc.query(`CREATE TABLE accounts (id bigint PRIMARY KEY,
        name text, email text, tier text, country text)`);
      await pgc.query(`CREATE TABLE trades (id bigint PRIMARY KEY,
        order_id bigint, account_id bigint, stock_id bigint, side text,
        quantity integer, price numeric(14,4), executed_at timestamptz,
        created_at timestamptz, updated_at timestamptz)`);
      const copy = async (table: string, columns: string[]) => {
        const [rows] = await platform.conn.query(`SELECT * FROM ${table}`);
        for (const r of rows as Record<string, unknown>[]) {
          await pgc.query(
            `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${
              columns.map((_, i) => `$${i + 1}`).join(", ")
            })`,
            columns.map((c) =>
              /_at$/.test(c) ? `${String(r[c]).replace(" ", "T")}Z` : r[c]
            ),
          );
        }
      };
      await copy("accounts", ["id", "name", "email", "tier", "country"]);
      await copy("trades", [
        "id",
        "order_id",
        "account_id",
        "stock_id",
        "side",
        "quantity",
        "price",
        "executed_at",
        "created_at",
        "updated_at",
      ]);
      const run = async (asOf: string) => {
        const reader = await postgresReader(source.url);
        try {
          return await captureDatabase(
            reader,
            warehouse.client,
            [platformAccountsDataset, platformTradesDataset],
            { dataDir, asOf: new Date(asOf), pageSize: 100 },
          );
        } finally {
          await reader.close();
        }
      };
      await run("2026-11-17T23:00:00Z");
      // A day later in the source: a tier change, a deleted account, a
      // corrected trade and a new one.
      await pgc.query("UPDATE accounts SET tier = 'platinum' WHERE id = 1");
      await pgc.query("DELETE FROM accounts WHERE id = 2");
      await pgc.query(`UPDATE trades SET price = price + 1,
        updated_at = '2026-11-18T15:00:00Z' WHERE id = 1`);
      await pgc.query(`INSERT INTO trades SELECT id + 100000, order_id,
        account_id, stock_id, side, quantity, price,
        '2026-11-18T15:00:00Z', '2026-11-18T15:00:01Z', '2026-11-18T15:00:01Z'
        FROM trades WHERE id = 3`);
      const { rows: trades0 } = await pgc.query("SELECT id FROM trades");
      const report = await run("2026-11-18T23:00:00Z");
      const byName = new Map(report.tables.map((t) => [t.dataset, t]));
      assert.equal(byName.get("platform_accounts")?.method, "diff");
      assert.deepEqual(byName.get("platform_accounts")?.diff, {
        base: "2026-11-17",
        inserted: 0,
        updated: 1,
        deleted: 1,
      });
      assert.equal(byName.get("platform_trades")?.method, "incremental");
      // Read again: the two changed trades and those within the lag (30
      // minutes) below the first capture's newest updated_at.
      const { rows: [window] } = await pgc.query(
        `SELECT count(*)::int AS n FROM trades WHERE updated_at >= (
           SELECT max(updated_at) - interval '30 minutes' FROM trades
           WHERE updated_at < '2026-11-18')`,
      );
      assert.equal(byName.get("platform_trades")?.extracted, window.n);
      assert.ok(window.n >= 2 && window.n < trades0.length);

      const { rows: accounts } = await pgc.query("SELECT * FROM accounts");
      assert.deepEqual(
        await warehouseLines(
          warehouse.client,
          "SELECT * FROM dim_account WHERE is_current",
          accountOf,
        ),
        accounts.map((r) => JSON.stringify(accountOf(r))).sort(),
      );
      const { rows: trades } = await pgc.query(TRADE_SOURCE_SQL);
      assert.deepEqual(
        await warehouseLines(
          warehouse.client,
          TRADE_WAREHOUSE_SQL,
          tradeOfWarehouse,
        ),
        trades.map((r) => JSON.stringify(tradeOfSource(r))).sort(),
      );
      // And the copy was faithful to the MariaDB rows it came from.
      assert.equal(
        (await sourceLines(platform.conn, TRADE_SOURCE_SQL, tradeOfSource))
          .length + 1,
        trades.length,
      );
    } finally {
      await pgc.end();
      await warehouse.dispose();
      await source.drop();
      await platform.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
