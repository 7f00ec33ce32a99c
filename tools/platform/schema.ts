/**
 * The trading platform's schema in MariaDB/MySQL: `accounts` and `stocks`
 * without any timestamp column (captured by snapshot diffs), `orders` and
 * `trades` with `created_at`/`updated_at` (captured incrementally), and the
 * simulator's own bookkeeping (`sim_state`, `sim_pending`).
 * @module
 */
import type { Connection } from "mysql2/promise";

/** The default platform database. */
export const DEFAULT_MYSQL_URL = "mysql://root@127.0.0.1:3306/sluice_platform";

/** The DDL of every table, idempotent. */
export const PLATFORM_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS accounts (
     id BIGINT PRIMARY KEY,
     name VARCHAR(120) NOT NULL,
     email VARCHAR(160) NOT NULL,
     tier VARCHAR(16) NOT NULL,
     country CHAR(2) NOT NULL
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS stocks (
     id BIGINT PRIMARY KEY,
     symbol VARCHAR(12) NOT NULL UNIQUE,
     name VARCHAR(160) NOT NULL,
     sector VARCHAR(60) NOT NULL,
     exchange VARCHAR(16) NOT NULL
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS orders (
     id BIGINT PRIMARY KEY,
     account_id BIGINT NOT NULL,
     stock_id BIGINT NOT NULL,
     side VARCHAR(4) NOT NULL,
     quantity INT NOT NULL,
     limit_price DECIMAL(14,4) NOT NULL,
     status VARCHAR(12) NOT NULL,
     created_at DATETIME(3) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     KEY orders_updated_at (updated_at)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS trades (
     id BIGINT PRIMARY KEY,
     order_id BIGINT NOT NULL,
     account_id BIGINT NOT NULL,
     stock_id BIGINT NOT NULL,
     side VARCHAR(4) NOT NULL,
     quantity INT NOT NULL,
     price DECIMAL(14,4) NOT NULL,
     executed_at DATETIME(3) NOT NULL,
     created_at DATETIME(3) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     KEY trades_updated_at (updated_at)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS sim_state (
     name VARCHAR(32) PRIMARY KEY,
     value VARCHAR(64) NOT NULL
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS sim_pending (
     seq BIGINT PRIMARY KEY,
     at DATETIME(3) NOT NULL,
     action TEXT NOT NULL
   ) ENGINE=InnoDB`,
];

/** The database name of a `mysql://` URL (checked: letters, digits, _). */
export function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new Error(`platform: invalid database name in ${url}: "${name}"`);
  }
  return name;
}

/** Creates the database of `url` (through `admin`) and its tables. */
export async function createPlatformSchema(
  admin: Connection,
  url: string,
): Promise<void> {
  const db = databaseOf(url);
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
  await admin.query(`USE \`${db}\``);
  for (const ddl of PLATFORM_DDL) await admin.query(ddl);
}
