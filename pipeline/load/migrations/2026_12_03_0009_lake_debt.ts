/**
 * The lake's debt: the Parquet partitions a load made stale.
 *
 * `etl_lake_debt` holds one row per lake table and partition (its hive
 * directory name: `date=2026-11-20`, `month=2026-11`, `year=2026`) that a
 * committed load changed and whose files have not been rewritten since. The
 * load writes its rows in its own transaction (so a load cannot commit
 * without its debt); the snapshot deletes a row only after the partition's
 * files are in place, and only if no later load re-dirtied it (`load_id`
 * still the one it read). `recorded_at` is when the partition first became
 * stale (kept when another load dirties it again), `updated_at` the latest.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_lake_debt (
      table_name text NOT NULL,
      partition text NOT NULL
        CHECK (partition ~ '^(date=\\d{4}-\\d{2}-\\d{2}|month=\\d{4}-\\d{2}|year=\\d{4})$'),
      load_id text NOT NULL,
      recorded_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (table_name, partition)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_lake_debt`.execute(db);
}
