/**
 * Data-quality checks, recorded with the run that computed them.
 *
 * `etl_checks` holds one row per check and partition (the dataset's entity:
 * a symbol, a location) of a run: its severity (`blocking` stops the load of
 * the partition, `warn` only records), its status (`pass`, `warn`, `fail`),
 * what it observed, what it expected and the threshold it applied, and a
 * message quoting both. The name column is `check_name` because `check` is a
 * reserved word in SQL.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_checks (
      run_id uuid NOT NULL REFERENCES etl_runs ON DELETE CASCADE,
      dataset text NOT NULL,
      partition text NOT NULL,
      check_name text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('blocking', 'warn')),
      status text NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
      observed double precision,
      expected double precision,
      threshold double precision,
      message text NOT NULL,
      checked_at timestamptz NOT NULL,
      PRIMARY KEY (run_id, dataset, partition, check_name)
    )`.execute(db);
  await sql`CREATE INDEX etl_checks_partition_idx
    ON etl_checks (dataset, partition, checked_at DESC)`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_checks`.execute(db);
}
