/**
 * The scheduler's state in Postgres (`etl_schedule_occurrences`): one row
 * per occurrence, keyed by (pipeline, job, scheduled_for). Claiming inserts
 * the row, so an occurrence fired twice (a duplicate `Deno.cron` firing, a
 * catch-up racing a live firing) runs once.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { type OccurrenceStatus, opsDb } from "@pipeline/ops/history.ts";

/** The idempotency key of an occurrence. */
export interface OccurrenceKey {
  pipeline: string;
  /** `etl` or `retention`. */
  job: string;
  scheduledFor: Date;
}

const where = (k: OccurrenceKey) => ({
  pipeline: k.pipeline,
  job: k.job,
  scheduled_for: k.scheduledFor,
});

/**
 * Claims `key` for this scheduler: true when it inserted the row (or took
 * over an `interrupted` one), false when the occurrence is already handled
 * or being handled.
 */
export async function claimOccurrence(
  client: SqlClient,
  key: OccurrenceKey & { claimedBy: string; now: Date },
): Promise<boolean> {
  const rows = await opsDb(client).insertInto("etl_schedule_occurrences")
    .values({
      ...where(key),
      status: "running",
      attempts: 0,
      claimed_by: key.claimedBy,
      claimed_at: key.now,
    })
    .onConflict((oc) =>
      oc.columns(["pipeline", "job", "scheduled_for"]).doUpdateSet({
        status: "running",
        reason: null,
        claimed_by: key.claimedBy,
        claimed_at: key.now,
        finished_at: null,
      }).where("etl_schedule_occurrences.status", "=", "interrupted")
    )
    .returning("status").execute();
  return rows.length === 1;
}

/** Records the attempt under way (its number and run id). */
export async function recordAttempt(
  client: SqlClient,
  key: OccurrenceKey & { attempts: number; runId: string },
): Promise<void> {
  await opsDb(client).updateTable("etl_schedule_occurrences")
    .set({ attempts: key.attempts, run_id: key.runId })
    .where("pipeline", "=", key.pipeline).where("job", "=", key.job)
    .where("scheduled_for", "=", key.scheduledFor).execute();
}

/** Records how an occurrence ended. */
export async function finishOccurrence(
  client: SqlClient,
  key: OccurrenceKey & {
    status: Exclude<OccurrenceStatus, "running">;
    reason?: string | null;
    now: Date;
  },
): Promise<void> {
  await opsDb(client).updateTable("etl_schedule_occurrences")
    .set({
      status: key.status,
      reason: key.reason ?? null,
      finished_at: key.now,
    })
    .where("pipeline", "=", key.pipeline).where("job", "=", key.job)
    .where("scheduled_for", "=", key.scheduledFor).execute();
}

/**
 * Records an occurrence that will not run now: `skipped` (missed under the
 * policy, or fired while the previous one still ran) or `interrupted`
 * (queued when the scheduler stopped; the next start's policy decides).
 * An `interrupted` row takes the new status; any other existing row is
 * left alone. True when recorded.
 */
export async function recordNotRun(
  client: SqlClient,
  key: OccurrenceKey & {
    status: "skipped" | "interrupted";
    reason: string;
    claimedBy: string;
    now: Date;
  },
): Promise<boolean> {
  const rows = await opsDb(client).insertInto("etl_schedule_occurrences")
    .values({
      ...where(key),
      status: key.status,
      reason: key.reason,
      attempts: 0,
      claimed_by: key.claimedBy,
      claimed_at: key.now,
      finished_at: key.now,
    })
    .onConflict((oc) =>
      oc.columns(["pipeline", "job", "scheduled_for"]).doUpdateSet({
        status: key.status,
        reason: key.reason,
        finished_at: key.now,
      }).where("etl_schedule_occurrences.status", "=", "interrupted")
    )
    .returning("status").execute();
  return rows.length === 1;
}

/** The latest recorded occurrence of a job, or null when it never ran. */
export async function lastOccurrence(
  client: SqlClient,
  job: { pipeline: string; job: string },
): Promise<Date | null> {
  const row = await opsDb(client).selectFrom("etl_schedule_occurrences")
    .select((eb) => eb.fn.max("scheduled_for").as("last"))
    .where("pipeline", "=", job.pipeline).where("job", "=", job.job)
    .executeTakeFirst();
  return row?.last ? new Date(row.last) : null;
}

/** Occurrences of a job left `interrupted`, oldest first. */
export async function interruptedOccurrences(
  client: SqlClient,
  job: { pipeline: string; job: string },
): Promise<Date[]> {
  const rows = await opsDb(client).selectFrom("etl_schedule_occurrences")
    .select("scheduled_for")
    .where("pipeline", "=", job.pipeline).where("job", "=", job.job)
    .where("status", "=", "interrupted")
    .orderBy("scheduled_for").execute();
  return rows.map((r) => new Date(r.scheduled_for));
}

/**
 * Marks the `running` occurrences of a pipeline as interrupted: at start,
 * holding the pipeline's scheduler lock, those belong to a scheduler that
 * died. Returns how many.
 */
export async function markInterrupted(
  client: SqlClient,
  options: { pipeline: string; reason: string; now: Date },
): Promise<number> {
  const rows = await opsDb(client).updateTable("etl_schedule_occurrences")
    .set({
      status: "interrupted",
      reason: options.reason,
      finished_at: options.now,
    })
    .where("pipeline", "=", options.pipeline)
    .where("status", "=", "running")
    .returning("job").execute();
  return rows.length;
}
