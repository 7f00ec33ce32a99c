/**
 * Test helpers of the platform source: a MariaDB database per test, the
 * simulator, captures into a warehouse, and the source and warehouse
 * states in comparable form.
 * @module
 */
import type { Connection } from "mysql2/promise";
import { MYSQL_TEST_URL } from "../../_requires.ts";
import { openPlatform } from "@tools/platform/connect.ts";
import { generate } from "@tools/platform/simulate.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { mysqlReader } from "@pipeline/extract/database/reader.ts";
import {
  captureDatabase,
  type CaptureOptions,
  type CaptureReport,
} from "@pipeline/extract/database/run.ts";
import { TABLE_DATASET_LIST } from "@pipeline/datasets/registry.ts";

/** A fresh platform database: its URL, an open connection, and drop. */
export interface TestPlatform {
  url: string;
  conn: Connection;
  dispose(): Promise<void>;
}

/** Creates `sluice_test_platform_<random>` on the test server. */
export async function createTestPlatform(): Promise<TestPlatform> {
  const name = `sluice_test_platform_${
    crypto.randomUUID().replaceAll("-", "").slice(0, 16)
  }`;
  const url = new URL(MYSQL_TEST_URL);
  url.pathname = `/${name}`;
  const conn = await openPlatform(url.toString());
  return {
    url: url.toString(),
    conn,
    async dispose() {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/** Generates `days` days ending at `asOf` (seed 7, 300 orders a day). */
export async function generateDays(
  platform: TestPlatform,
  asOf: string,
  days = 1,
): Promise<void> {
  await generate(platform.conn, {
    seed: 7,
    until: new Date(asOf),
    days,
    ordersPerDay: 300,
  });
}

/** Captures every declared table of `platform` into `client`. */
export async function capture(
  platform: TestPlatform,
  client: SqlClient,
  options: CaptureOptions,
): Promise<CaptureReport> {
  const reader = await mysqlReader(platform.url);
  try {
    return await captureDatabase(reader, client, TABLE_DATASET_LIST, options);
  } finally {
    await reader.close();
  }
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` of a source DATETIME text or a Date. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(`${String(value).replace(" ", "T")}Z`).toISOString();
}

/** Rows of a source query as sorted JSON lines. */
export async function sourceLines(
  conn: Connection,
  sql: string,
  map: (r: Record<string, unknown>) => unknown[],
): Promise<string[]> {
  const [rows] = await conn.query(sql);
  return (rows as Record<string, unknown>[]).map((r) => JSON.stringify(map(r)))
    .sort();
}

/** Rows of a warehouse query as sorted JSON lines. */
export async function warehouseLines(
  client: SqlClient,
  sql: string,
  map: (r: Record<string, unknown>) => unknown[],
): Promise<string[]> {
  const { rows } = await client.query<Record<string, unknown>>(sql);
  return rows.map((r) => JSON.stringify(map(r))).sort();
}

const s = (v: unknown) => v === null || v === undefined ? null : String(v);

/** trades as (id, order, account, stock, side, qty, price, times). */
export const TRADE_SOURCE_SQL = "SELECT * FROM trades";
export const tradeOfSource = (r: Record<string, unknown>) => [
  s(r.id),
  s(r.order_id),
  s(r.account_id),
  s(r.stock_id),
  r.side,
  Number(r.quantity),
  s(r.price),
  iso(r.executed_at),
  iso(r.created_at),
  iso(r.updated_at),
];
export const TRADE_WAREHOUSE_SQL = "SELECT * FROM fact_trades";
export const tradeOfWarehouse = (r: Record<string, unknown>) => [
  s(r.trade_id),
  s(r.order_id),
  s(r.account_id),
  s(r.stock_id),
  r.side,
  Number(r.quantity),
  s(r.price),
  iso(r.executed_at),
  iso(r.created_at),
  iso(r.updated_at),
];
export const ORDER_SOURCE_SQL = "SELECT * FROM orders";
export const orderOfSource = (r: Record<string, unknown>) => [
  s(r.id),
  s(r.account_id),
  s(r.stock_id),
  r.side,
  Number(r.quantity),
  s(r.limit_price),
  r.status,
  iso(r.created_at),
  iso(r.updated_at),
];
export const ORDER_WAREHOUSE_SQL = "SELECT * FROM fact_orders";
export const orderOfWarehouse = (r: Record<string, unknown>) => [
  s(r.order_id),
  s(r.account_id),
  s(r.stock_id),
  r.side,
  Number(r.quantity),
  s(r.limit_price),
  r.status,
  iso(r.created_at),
  iso(r.updated_at),
];

/** accounts / current dim_account versions as (id, name, email, tier, country). */
export const accountOf = (r: Record<string, unknown>) => [
  s(r.id ?? r.account_id),
  r.name,
  r.email,
  r.tier,
  r.country,
];
/** stocks / current dim_stock versions as (id, symbol, name, sector, exchange). */
export const stockOf = (r: Record<string, unknown>) => [
  s(r.id ?? r.stock_id),
  r.symbol,
  r.name,
  r.sector,
  r.exchange,
];
