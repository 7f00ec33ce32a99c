/**
 * Operations: run history in detail and the scheduler's own state.
 *
 * - `etl_runs` gains the pipeline (the unit of locking and scheduling), the
 *   trigger (`manual`, `schedule`, `backfill`), the attempt and scheduled
 *   time of a scheduled run, where a failure happened (stage, partition),
 *   the newest loaded timestamp (for freshness) and which process ran it.
 * - `etl_run_stages` and `etl_run_partitions`: one row per stage (rows in,
 *   rows out, seconds) and per source partition (status, rows, error).
 * - `etl_run_quarantine`: a view linking a run to the quarantine rows it
 *   kept (`quarantine.load_id` is the run id).
 * - `etl_schedule_occurrences`: one row per scheduled occurrence, keyed by
 *   (pipeline, job, scheduled_for), the idempotency key of the scheduler.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE etl_runs
      ADD COLUMN pipeline text,
      ADD COLUMN trigger text NOT NULL DEFAULT 'manual'
        CHECK (trigger IN ('manual', 'schedule', 'backfill')),
      ADD COLUMN attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
      ADD COLUMN scheduled_for timestamptz,
      ADD COLUMN error_stage text,
      ADD COLUMN error_partition text,
      ADD COLUMN newest_ts timestamptz,
      ADD COLUMN pid integer,
      ADD COLUMN host text`.execute(db);
  await sql`UPDATE etl_runs SET pipeline = source`.execute(db);
  await sql`ALTER TABLE etl_runs ALTER COLUMN pipeline SET NOT NULL`
    .execute(db);
  await sql`CREATE INDEX etl_runs_pipeline_started_idx
    ON etl_runs (pipeline, started_at DESC)`.execute(db);
  await sql`CREATE INDEX etl_runs_source_started_idx
    ON etl_runs (source, started_at DESC)`.execute(db);
  await sql`
    CREATE TABLE etl_run_stages (
      run_id uuid NOT NULL REFERENCES etl_runs ON DELETE CASCADE,
      ordinal integer NOT NULL,
      stage text NOT NULL,
      rows_in bigint NOT NULL,
      rows_out bigint NOT NULL,
      seconds double precision NOT NULL,
      PRIMARY KEY (run_id, ordinal)
    )`.execute(db);
  await sql`
    CREATE TABLE etl_run_partitions (
      run_id uuid NOT NULL REFERENCES etl_runs ON DELETE CASCADE,
      partition text NOT NULL,
      status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
      rows bigint NOT NULL,
      error text,
      transient boolean,
      PRIMARY KEY (run_id, partition)
    )`.execute(db);
  await sql`
    CREATE VIEW etl_run_quarantine AS
      SELECT r.run_id, q.id AS quarantine_id, q.dataset, q.source, q.record,
             q.entity, q.ts, q.field, q.reason, q.quarantined_at
      FROM etl_runs r JOIN quarantine q ON q.load_id = r.run_id`.execute(db);
  await sql`
    CREATE TABLE etl_schedule_occurrences (
      pipeline text NOT NULL,
      job text NOT NULL,
      scheduled_for timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN (
        'running', 'succeeded', 'failed', 'skipped', 'interrupted', 'noop')),
      reason text,
      attempts integer NOT NULL DEFAULT 0,
      run_id uuid,
      claimed_by text NOT NULL,
      claimed_at timestamptz NOT NULL,
      finished_at timestamptz,
      PRIMARY KEY (pipeline, job, scheduled_for)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_schedule_occurrences`.execute(db);
  await sql`DROP VIEW IF EXISTS etl_run_quarantine`.execute(db);
  await sql`DROP TABLE IF EXISTS etl_run_partitions`.execute(db);
  await sql`DROP TABLE IF EXISTS etl_run_stages`.execute(db);
  await sql`DROP INDEX IF EXISTS etl_runs_source_started_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS etl_runs_pipeline_started_idx`.execute(db);
  await sql`
    ALTER TABLE etl_runs
      DROP COLUMN IF EXISTS pipeline,
      DROP COLUMN IF EXISTS trigger,
      DROP COLUMN IF EXISTS attempt,
      DROP COLUMN IF EXISTS scheduled_for,
      DROP COLUMN IF EXISTS error_stage,
      DROP COLUMN IF EXISTS error_partition,
      DROP COLUMN IF EXISTS newest_ts,
      DROP COLUMN IF EXISTS pid,
      DROP COLUMN IF EXISTS host`.execute(db);
}
