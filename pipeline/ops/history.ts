/**
 * Run history in Postgres: one `etl_runs` row per run (trigger, attempt,
 * status, error with stage and partition, newest loaded timestamp), its
 * stages and partitions, and the repairs a crashed run needs.
 * @module
 */
import type { Kysely } from "kysely";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import type { Database, EtlRunTable } from "@pipeline/load/database.ts";
import type { ColumnType } from "kysely";
import type { RunSummary, RunTrigger } from "@pipeline/summary.ts";
import { excerpt, MAX_MESSAGE } from "@pipeline/errors.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** `etl_runs` with the columns of migration 0003. */
export interface OpsRunTable extends EtlRunTable {
  pipeline: string;
  trigger: ColumnType<RunTrigger, RunTrigger | undefined, RunTrigger>;
  attempt: ColumnType<number, number | undefined, number>;
  scheduled_for: Timestamp | null;
  error_stage: string | null;
  error_partition: string | null;
  newest_ts: Timestamp | null;
  pid: number | null;
  host: string | null;
}

/** One stage of a run. */
export interface RunStageTable {
  run_id: string;
  ordinal: number;
  stage: string;
  rows_in: number;
  rows_out: number;
  seconds: number;
}

/** One source partition of a run. */
export interface RunPartitionTable {
  run_id: string;
  partition: string;
  status: "succeeded" | "failed";
  rows: number;
  error: string | null;
  transient: boolean | null;
}

/** One scheduled occurrence (see `@pipeline/schedule/state.ts`). */
export interface ScheduleOccurrenceTable {
  pipeline: string;
  job: string;
  scheduled_for: Timestamp;
  status: OccurrenceStatus;
  reason: string | null;
  attempts: number;
  run_id: string | null;
  claimed_by: string;
  claimed_at: Timestamp;
  finished_at: Timestamp | null;
}

/** The state of a scheduled occurrence. */
export type OccurrenceStatus =
  | "running"
  | "succeeded"
  | "failed"
  | "skipped"
  | "interrupted"
  | "noop";

/** The warehouse with the operations tables. */
export interface OpsDatabase extends Omit<Database, "etl_runs"> {
  etl_runs: OpsRunTable;
  etl_run_stages: RunStageTable;
  etl_run_partitions: RunPartitionTable;
  etl_schedule_occurrences: ScheduleOccurrenceTable;
}

/** A Kysely instance over the operations schema. */
export function opsDb(client: SqlClient): Kysely<OpsDatabase> {
  return kyselyFor<OpsDatabase>(client);
}

/** Records a run as started (status `running`). */
export async function recordRunStart(
  client: SqlClient,
  summary: RunSummary,
): Promise<void> {
  await opsDb(client).insertInto("etl_runs").values({
    run_id: summary.run_id,
    pipeline: summary.pipeline,
    source: summary.source,
    trigger: summary.trigger,
    attempt: summary.attempt,
    scheduled_for: summary.scheduled_for,
    started_at: summary.started_at,
    status: "running",
    pid: Deno.pid,
    host: Deno.hostname(),
  }).execute();
}

/**
 * Records how a run ended: its row, its stages and its partitions, in one
 * transaction.
 */
export async function recordRunEnd(
  client: SqlClient,
  summary: RunSummary,
): Promise<void> {
  // A stored error is bounded like a printed one: many failed partitions
  // or a quoted record must not make a megabyte row.
  const error = summary.error === null
    ? null
    : excerpt(summary.error, 2 * MAX_MESSAGE);
  await client.transaction(async (tx) => {
    const db = opsDb(tx);
    await db.updateTable("etl_runs").set({
      finished_at: summary.finished_at,
      status: summary.status,
      summary: JSON.stringify({ ...summary, error }),
      error,
      error_stage: summary.error_stage,
      error_partition: summary.error_partition,
      newest_ts: summary.newest_ts,
    }).where("run_id", "=", summary.run_id).execute();
    if (summary.stages.length > 0) {
      await db.insertInto("etl_run_stages").values(
        summary.stages.map((s, ordinal) => ({
          run_id: summary.run_id,
          ordinal,
          stage: s.stage,
          rows_in: s.rows_in,
          rows_out: s.rows_out,
          seconds: s.seconds,
        })),
      ).execute();
    }
    if (summary.partitions.length > 0) {
      await db.insertInto("etl_run_partitions").values(
        summary.partitions.map((p) => ({
          run_id: summary.run_id,
          partition: p.partition,
          status: p.status,
          rows: p.rows,
          error: p.error ?? null,
          transient: p.transient ?? null,
        })),
      ).onConflict((oc) => oc.columns(["run_id", "partition"]).doNothing())
        .execute();
    }
  });
}

/**
 * Marks the `running` runs of `pipeline` as failed (abandoned). Call only
 * while holding the pipeline's run lock: then no run of it is alive, and a
 * `running` row is one whose process was killed or crashed.
 * Returns the run ids it marked.
 */
export async function markAbandonedRuns(
  client: SqlClient,
  options: { pipeline: string; now: Date },
): Promise<string[]> {
  const rows = await opsDb(client).updateTable("etl_runs").set({
    status: "failed",
    finished_at: options.now,
    error: "abandoned: the process ended without finishing the run " +
      "(killed or crashed); its load transaction, if any, was rolled back",
  }).where("pipeline", "=", options.pipeline)
    .where("status", "=", "running")
    .returning("run_id").execute();
  return rows.map((r) => r.run_id);
}

/** What the scheduler knows about a run whose process died. */
export interface RunCrash {
  runId: string;
  pipeline: string;
  source: string;
  trigger: RunTrigger;
  attempt: number;
  scheduledFor: Date | null;
  startedAt: Date;
  finishedAt: Date;
  /** Why: `killed by SIGKILL`, `exited with status 137`. */
  error: string;
}

/**
 * Records a run whose process died: its `running` row becomes failed, or a
 * failed row is written when the process died before writing one. A row
 * that already finished is left alone.
 */
export async function recordRunCrash(
  client: SqlClient,
  crash: RunCrash,
): Promise<void> {
  await opsDb(client).insertInto("etl_runs").values({
    run_id: crash.runId,
    pipeline: crash.pipeline,
    source: crash.source,
    trigger: crash.trigger,
    attempt: crash.attempt,
    scheduled_for: crash.scheduledFor,
    started_at: crash.startedAt,
    finished_at: crash.finishedAt,
    status: "failed",
    error: crash.error,
  }).onConflict((oc) =>
    oc.column("run_id").doUpdateSet({
      status: "failed",
      finished_at: crash.finishedAt,
      error: crash.error,
    }).where("etl_runs.status", "=", "running")
  ).execute();
}
