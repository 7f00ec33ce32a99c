/**
 * Incremental loading: loads, watermarks, backfill chunks and recorded schema
 * changes.
 *
 * - `etl_loads`: one row per load (one transaction writing one dataset's
 *   resources). The row is written `started` before the data, in its own
 *   statement, and set `committed` in the data's own transaction, so rows
 *   whose `load_id` has no committed load can always be told apart (a crash
 *   leaves the load `started` and, the transaction being rolled back, no
 *   rows). A failed load is marked `failed` afterwards.
 * - `etl_watermarks`: per (source, partition) the newest cursor value loaded,
 *   advanced (never moved back) in the same transaction as the data.
 * - `etl_backfill_chunks`: one row per (source, partition, day) of a
 *   backfill, so an interrupted backfill resumes without redoing chunks.
 * - `etl_schema_changes`: every column a source added or widened, with the
 *   DDL that did it: the recorded migrations of schema evolution.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_loads (
      load_id uuid PRIMARY KEY,
      run_id uuid NOT NULL,
      dataset text NOT NULL,
      source text NOT NULL,
      status text NOT NULL CHECK (status IN ('started', 'committed', 'failed')),
      resources jsonb,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      error text
    )`.execute(db);
  await sql`CREATE INDEX etl_loads_run_idx ON etl_loads (run_id)`.execute(db);
  await sql`
    CREATE TABLE etl_watermarks (
      source text NOT NULL,
      partition text NOT NULL,
      dataset text NOT NULL,
      cursor_column text NOT NULL,
      watermark timestamptz NOT NULL,
      load_id uuid NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (source, partition)
    )`.execute(db);
  await sql`
    CREATE TABLE etl_backfill_chunks (
      source text NOT NULL,
      partition text NOT NULL,
      day date NOT NULL,
      dataset text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      rows bigint NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      load_id uuid,
      run_id uuid,
      error text,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (source, partition, day)
    )`.execute(db);
  await sql`
    CREATE TABLE etl_schema_changes (
      id bigserial PRIMARY KEY,
      table_name text NOT NULL,
      column_name text NOT NULL,
      change text NOT NULL CHECK (change IN ('add_column', 'widen')),
      old_type text,
      new_type text NOT NULL,
      ddl text NOT NULL,
      source text NOT NULL,
      load_id uuid NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (
    const t of [
      "etl_schema_changes",
      "etl_backfill_chunks",
      "etl_watermarks",
      "etl_loads",
    ]
  ) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
