/**
 * The first schema: run history, one-minute bars with their derived columns,
 * 5-minute and 1-hour aggregates, and the quarantine of every dataset
 * (`entity` is the record's symbol or location).
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_runs (
      run_id uuid PRIMARY KEY,
      source text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      summary jsonb,
      error text
    )`.execute(db);
  await sql`
    CREATE TABLE bars_1m (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      open double precision NOT NULL,
      high double precision NOT NULL,
      low double precision NOT NULL,
      close double precision NOT NULL,
      volume double precision NOT NULL,
      ret double precision,
      ma_close_20 double precision,
      ma_volume_20 double precision,
      vwap double precision,
      load_id uuid NOT NULL,
      PRIMARY KEY (symbol, ts)
    )`.execute(db);
  for (const table of ["bars_5m", "bars_1h"]) {
    await sql`
      CREATE TABLE ${sql.table(table)} (
        symbol text NOT NULL,
        ts timestamptz NOT NULL,
        open double precision NOT NULL,
        high double precision NOT NULL,
        low double precision NOT NULL,
        close double precision NOT NULL,
        volume double precision NOT NULL,
        vwap double precision,
        bar_count integer NOT NULL,
        load_id uuid NOT NULL,
        PRIMARY KEY (symbol, ts)
      )`.execute(db);
  }
  await sql`
    CREATE TABLE quarantine (
      id bigserial PRIMARY KEY,
      fingerprint text NOT NULL UNIQUE,
      load_id uuid NOT NULL,
      dataset text NOT NULL,
      source text NOT NULL,
      record text NOT NULL,
      entity text,
      ts text,
      field text NOT NULL,
      reason text NOT NULL,
      raw text NOT NULL,
      quarantined_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX quarantine_load_id_idx ON quarantine (load_id)`
    .execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["quarantine", "bars_1h", "bars_5m", "bars_1m", "etl_runs"]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
