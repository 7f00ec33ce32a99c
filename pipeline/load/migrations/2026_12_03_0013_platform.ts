/**
 * The trading platform captured from its operational database (see
 * `pipeline/datasets/platform_*`):
 *
 * - `dim_account`, `dim_stock`: type 2 dimensions (the SCD2 merge of
 *   `@pipeline/warehouse/scd2.ts`), a surrogate key per version;
 * - `fact_orders`: one row per order, its latest state;
 * - `fact_trades`: one row per trade (keyed by the platform's trade id, so
 *   a late or corrected trade is merged, never doubled), pointing at the
 *   `dim_account` and `dim_stock` versions valid at its execution;
 * - `etl_db_extracts`, `etl_db_watermarks`: what each capture read, landed
 *   and diffed, and the cursor of each incremental table.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

const SCD2_COLUMNS = `
  row_hash text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_to timestamptz,
  is_current boolean NOT NULL,
  load_id uuid NOT NULL,
  closed_load_id uuid,
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CHECK (is_current = (valid_to IS NULL))`;

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
    CREATE TABLE dim_account (
      account_key bigserial PRIMARY KEY,
      account_id text NOT NULL,
      name text,
      email text,
      tier text,
      country text,
      ${SCD2_COLUMNS}
    )`).execute(db);
  await sql`CREATE UNIQUE INDEX dim_account_current
    ON dim_account (account_id) WHERE is_current`.execute(db);
  await sql`CREATE INDEX dim_account_versions
    ON dim_account (account_id, valid_from)`.execute(db);
  await sql.raw(`
    CREATE TABLE dim_stock (
      stock_key bigserial PRIMARY KEY,
      stock_id text NOT NULL,
      symbol text,
      name text,
      sector text,
      exchange text,
      ${SCD2_COLUMNS}
    )`).execute(db);
  await sql`CREATE UNIQUE INDEX dim_stock_current
    ON dim_stock (stock_id) WHERE is_current`.execute(db);
  await sql`CREATE INDEX dim_stock_versions
    ON dim_stock (stock_id, valid_from)`.execute(db);
  await sql`
    CREATE TABLE fact_orders (
      order_id bigint PRIMARY KEY,
      account_id bigint NOT NULL,
      stock_id bigint NOT NULL,
      side text NOT NULL,
      quantity integer NOT NULL,
      limit_price numeric(18,4) NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      load_id uuid NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE fact_trades (
      trade_id bigint PRIMARY KEY,
      order_id bigint NOT NULL,
      account_id bigint NOT NULL,
      stock_id bigint NOT NULL,
      account_key bigint REFERENCES dim_account (account_key),
      stock_key bigint REFERENCES dim_stock (stock_key),
      side text NOT NULL,
      quantity integer NOT NULL,
      price numeric(18,4) NOT NULL,
      amount numeric(24,4) NOT NULL,
      executed_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      load_id uuid NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX fact_trades_executed_at
    ON fact_trades (executed_at)`.execute(db);
  await sql`CREATE INDEX fact_trades_unresolved ON fact_trades (trade_id)
    WHERE account_key IS NULL OR stock_key IS NULL`.execute(db);
  await sql`
    CREATE TABLE etl_db_extracts (
      source text NOT NULL,
      dataset text NOT NULL,
      run_id uuid NOT NULL,
      as_of timestamptz NOT NULL,
      snapshot_date date NOT NULL,
      capture text NOT NULL,
      method text NOT NULL,
      rows bigint NOT NULL,
      since timestamptz,
      watermark timestamptz,
      lake_path text NOT NULL,
      diff_base date,
      inserted integer,
      updated integer,
      deleted integer,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source, dataset, run_id)
    )`.execute(db);
  await sql`
    CREATE TABLE etl_db_watermarks (
      source text NOT NULL,
      dataset text NOT NULL,
      watermark timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source, dataset)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (
    const t of [
      "etl_db_watermarks",
      "etl_db_extracts",
      "fact_trades",
      "fact_orders",
      "dim_stock",
      "dim_account",
    ]
  ) {
    await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
  }
}
