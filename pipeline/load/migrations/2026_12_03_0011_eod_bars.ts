/**
 * Daily bars (the eod dataset): `eod_bars`, one row per symbol and trading
 * date, the date stored as its UTC midnight in `ts` (the key every fact
 * engine uses), OHLCV as loaded, `adj_close` where the source has one, and
 * `ret`, recomputed from the table by the load (a derived column).
 *
 * Not partitioned: twenty years of one symbol are about 5,000 rows, and a
 * partition per month would make hundreds of tables per few thousand rows.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE eod_bars (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      open double precision NOT NULL,
      high double precision NOT NULL,
      low double precision NOT NULL,
      close double precision NOT NULL,
      adj_close double precision,
      volume double precision NOT NULL,
      ret double precision,
      load_id uuid NOT NULL,
      PRIMARY KEY (symbol, ts)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS eod_bars`.execute(db);
}
