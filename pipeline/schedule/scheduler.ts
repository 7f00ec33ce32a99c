/**
 * The scheduler: registers the jobs (the ETL, retention) with a trigger
 * (`Deno.cron`), turns each firing into an occurrence keyed by (pipeline,
 * job, scheduled time), runs it (retrying a failed ETL run with backoff),
 * records it, alerts on a final failure or stale data, and keeps the
 * metrics. At start it applies the missed-run policy to the occurrences it
 * missed while down; on stop it takes no new runs and lets the current one
 * end at a safe point.
 *
 * Concurrency: one scheduler per pipeline and database (a session advisory
 * lock), one occurrence of a job at a time. A firing while the previous occurrence of
 * the job still runs is recorded as skipped (like a Kubernetes CronJob's
 * `concurrencyPolicy: Forbid`).
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";
import type { Logger } from "@pipeline/ops/logging.ts";
import {
  type Alert,
  type Alerter,
  runFailedAlert,
  staleAlert,
} from "@pipeline/ops/alerts.ts";
import type { SluiceMetrics } from "@pipeline/ops/sluice_metrics.ts";
import { readStatus } from "@pipeline/ops/status.ts";
import { type RetryPolicy, withRetries } from "@pipeline/ops/retry.ts";
import {
  LockedError,
  schedulerLockKey,
  tryAdvisoryLock,
} from "@pipeline/ops/lock.ts";
import type { Cadence } from "@pipeline/schedule/cadence.ts";
import {
  missedOccurrences,
  type MissedPolicy,
  planMissed,
} from "@pipeline/schedule/occurrences.ts";
import {
  claimOccurrence,
  finishOccurrence,
  interruptedOccurrences,
  lastOccurrence,
  markInterrupted,
  type OccurrenceKey,
  recordAttempt,
  recordNotRun,
} from "@pipeline/schedule/state.ts";
import type { Trigger } from "@pipeline/schedule/trigger.ts";
import type { Executor, RunOutcome } from "@pipeline/schedule/executor.ts";
import { Mutex } from "@pipeline/schedule/_mutex.ts";

/** The jobs a scheduler runs. */
export type JobName = "etl" | "retention";

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  /** The pipeline: the key of its occurrences and the lock of its runs. */
  pipeline: string;
  /** The pipeline's source, whose freshness is checked. */
  source: string;
  /** When each job fires. */
  cadences: Readonly<Record<JobName, Cadence>>;
  /** What to do with occurrences missed while down. */
  missed: MissedPolicy;
  /** At most this many missed occurrences are run (`all`) or recorded. */
  missedCap: number;
  /** Retries of a failed ETL run. */
  retry: RetryPolicy;
  /** Alert when the newest loaded data is older than this, ms (0: off). */
  staleAfterMs: number;
}

/** How a retention occurrence ended. */
export interface RetentionOutcome {
  /** `noop`: no table has a retention age (nothing was done). */
  status: "succeeded" | "failed" | "noop";
  /** One line: what was archived, or why nothing or not all was done. */
  message: string;
  /** Where it failed (`<table> <partition>`), for the alert. */
  errorPartition?: string | undefined;
}

/** The retention job (pipeline/warehouse/retention_command.ts has the real one). */
export interface RetentionJob {
  /** Applies the retention once, recording `runId`; reports, never throws. */
  run(request: { runId: string }): Promise<RetentionOutcome>;
}

/** What the scheduler needs from outside. */
export interface SchedulerDeps {
  /** The scheduler's own connection (holds the pipeline's scheduler lock). */
  client: SqlClient;
  clock: Clock;
  logger: Logger;
  executor: Executor;
  alerter: Alerter;
  metrics: SluiceMetrics;
  trigger: Trigger;
  /**
   * The retention job, run on the scheduler's connection (one query at a
   * time with its bookkeeping). Default none: each occurrence is a recorded
   * no-op, "retention not configured".
   */
  retention?: RetentionJob | undefined;
  /** Waits between retries. Default a real timer. */
  sleep?: Sleep;
  /** Jitter source. Default `Math.random`. */
  random?: () => number;
  /** Makes run ids. Default `crypto.randomUUID`. */
  newRunId?: () => string;
}

/** A running scheduler. */
export interface Scheduler {
  /** `host:pid:xxxxxxxx`, recorded as `claimed_by`. */
  readonly instanceId: string;
  /** Resolves once stopped. */
  readonly done: Promise<void>;
  /** `running`, `stopping` or `stopped`. */
  state(): "running" | "stopping" | "stopped";
  /**
   * Handles a firing of `job` for `scheduledFor` as the trigger does;
   * resolves when that occurrence is finished (or was refused).
   */
  fire(job: JobName, scheduledFor: Date): Promise<void>;
  /** Resolves when no occurrence is queued or running. */
  idle(): Promise<void>;
  /**
   * Stops: no new runs; the current run stops at a safe point (its load
   * transaction commits or rolls back whole); queued occurrences are
   * recorded as interrupted. Resolves when stopped.
   */
  stop(reason: string): Promise<void>;
}

interface Worker {
  job: JobName;
  queue: { at: Date; done: () => void }[];
  busy: boolean;
  idle: Promise<void>;
  markIdle: () => void;
}

/**
 * Starts the scheduler. Throws a `LockedError` when another scheduler of
 * the pipeline runs against the same database.
 */
export async function startScheduler(
  options: SchedulerOptions,
  deps: SchedulerDeps,
): Promise<Scheduler> {
  const { pipeline, source, cadences } = options;
  const {
    client,
    clock,
    executor,
    alerter,
    metrics,
    trigger,
    sleep = realSleep,
    random = Math.random,
    newRunId = () => crypto.randomUUID(),
  } = deps;
  const instanceId = `${Deno.hostname()}:${Deno.pid}:${
    crypto.randomUUID().slice(0, 8)
  }`;
  const logger = deps.logger.child({ pipeline });
  const lock = await tryAdvisoryLock(client, schedulerLockKey(pipeline));
  if (!lock) {
    throw new LockedError(
      `another scheduler of pipeline "${pipeline}" is running against this ` +
        `database (one scheduler per pipeline); stop it first`,
    );
  }
  const dbMutex = new Mutex();
  const db = <T>(fn: () => Promise<T>) => dbMutex.run(fn);
  let state: "running" | "stopping" | "stopped" = "running";
  const stopRuns = new AbortController();
  const unregister = new AbortController();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => resolveDone = r);

  try {
    await migrateToLatest(client);
    const stale = await markInterrupted(client, {
      pipeline,
      reason: "the scheduler stopped or died while it ran",
      now: clock.now(),
    });
    if (stale > 0) {
      logger.warn(
        `${stale} occurrence(s) were still marked running from a previous ` +
          `scheduler: marked interrupted`,
      );
    }
    await refreshMetrics();
  } catch (err) {
    await lock.release().catch(() => {});
    throw err;
  }

  const workers: Record<JobName, Worker> = {
    etl: newWorker("etl"),
    retention: newWorker("retention"),
  };

  function newWorker(job: JobName): Worker {
    const w: Worker = {
      job,
      queue: [],
      busy: false,
      idle: Promise.resolve(),
      markIdle: () => {},
    };
    return w;
  }

  const keyOf = (job: JobName, at: Date): OccurrenceKey => ({
    pipeline,
    job,
    scheduledFor: at,
  });

  async function refreshMetrics(): Promise<
    Awaited<ReturnType<typeof readStatus>>
  > {
    const status = await readStatus(client, { now: clock.now(), limit: 1 });
    metrics.setFreshness(status.sources);
    metrics.setQuarantine(status.quarantine);
    return status;
  }

  async function sendAlert(alert: Alert): Promise<void> {
    const delivery = await alerter.send(alert);
    metrics.recordAlert(alert.kind, delivery.delivered);
  }

  async function runRetention(at: Date): Promise<void> {
    const log = logger.child({ job: "retention", scheduled_for: at });
    const key = keyOf("retention", at);
    const claimed = await db(() =>
      claimOccurrence(client, {
        ...key,
        claimedBy: instanceId,
        now: clock.now(),
      })
    );
    if (!claimed) {
      log.info("occurrence already handled: not running it again");
      return;
    }
    const job = deps.retention;
    if (!job) {
      log.warn(
        "retention not configured: no retention job is wired, nothing " +
          "was deleted; the occurrence is recorded as a no-op",
      );
      await db(() =>
        finishOccurrence(client, {
          ...key,
          status: "noop",
          reason: "retention not configured",
          now: clock.now(),
        })
      );
      metrics.recordOccurrence(pipeline, "retention", "noop");
      return;
    }
    const runId = newRunId();
    const runLog = log.child({ run_id: runId });
    await db(() => recordAttempt(client, { ...key, attempts: 1, runId }));
    const outcome = await db(() => job.run({ runId })).catch(
      (err): RetentionOutcome => ({
        status: "failed",
        message: errorMessage(err),
      }),
    );
    if (outcome.status === "succeeded") runLog.info(outcome.message);
    else runLog.warn(`retention ${outcome.status}: ${outcome.message}`);
    await db(() =>
      finishOccurrence(client, {
        ...key,
        status: outcome.status,
        reason: outcome.status === "succeeded" ? null : outcome.message,
        now: clock.now(),
      })
    );
    metrics.recordOccurrence(pipeline, "retention", outcome.status);
    if (outcome.status === "failed") {
      await sendAlert(runFailedAlert({
        pipeline,
        source,
        runId,
        attempts: 1,
        scheduledFor: at,
        error: outcome.message,
        stage: "retention",
        partition: outcome.errorPartition,
        at: clock.now(),
      }));
    }
  }

  async function runEtl(at: Date): Promise<void> {
    const log = logger.child({ job: "etl", scheduled_for: at });
    const key = keyOf("etl", at);
    const claimed = await db(() =>
      claimOccurrence(client, {
        ...key,
        claimedBy: instanceId,
        now: clock.now(),
      })
    );
    if (!claimed) {
      log.info("occurrence already handled: not running it again");
      return;
    }
    log.info("occurrence started");
    const { result, attempts } = await withRetries<
      RunOutcome & { retry: boolean }
    >({
      policy: options.retry,
      signal: stopRuns.signal,
      sleep,
      random,
      attempt: async (n) => {
        const runId = newRunId();
        await db(() => recordAttempt(client, { ...key, attempts: n, runId }));
        metrics.setRunning(pipeline, true);
        const request = {
          pipeline,
          runId,
          attempt: n,
          scheduledFor: at,
          signal: stopRuns.signal,
        };
        let outcome: RunOutcome;
        try {
          outcome = executor.kind === "inline"
            ? await db(() => executor.run(request))
            : await executor.run(request);
        } finally {
          metrics.setRunning(pipeline, false);
        }
        metrics.recordRun(pipeline, outcome.status, outcome.summary);
        const line = `attempt ${n} ${outcome.status}${
          outcome.error ? `: ${outcome.error}` : ""
        }`;
        const runLog = log.child({ run_id: runId, attempt: n });
        if (outcome.status === "succeeded") runLog.info(line);
        else runLog.warn(line);
        return { ...outcome, retry: outcome.status === "failed" };
      },
      onRetry: ({ attempt, delayMs, result }) => {
        metrics.recordRetry(pipeline);
        log.child({ run_id: result.runId, attempt }).warn(
          `retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${
            attempt + 1
          } of ${options.retry.retries + 1})`,
          { delay_ms: delayMs },
        );
      },
    });
    const stopped = stopRuns.signal.aborted &&
      (result.status === "failed" || result.status === "interrupted");
    const status = stopped
      ? "interrupted"
      : result.status === "succeeded"
      ? "succeeded"
      : result.status === "locked"
      ? "skipped"
      : "failed";
    await db(() =>
      finishOccurrence(client, {
        ...key,
        status,
        reason: result.error,
        now: clock.now(),
      })
    );
    metrics.recordOccurrence(pipeline, "etl", status);
    const finalLog = log.child({ run_id: result.runId });
    if (status === "succeeded") {
      finalLog.info(`occurrence succeeded after ${attempts} attempt(s)`);
    } else {
      finalLog.warn(
        `occurrence ${status} after ${attempts} attempt(s)${
          result.error ? `: ${result.error}` : ""
        }`,
      );
    }
    if (status === "failed") {
      await sendAlert(runFailedAlert({
        pipeline,
        source,
        runId: result.runId,
        attempts,
        scheduledFor: at,
        error: result.error ?? "failed",
        stage: result.errorStage,
        partition: result.errorPartition,
        at: clock.now(),
      }));
    }
    if (status !== "succeeded" && status !== "failed") return;
    try {
      const report = await db(refreshMetrics);
      const fresh = report.sources.find((s) => s.source === source);
      const newest = fresh?.newest_ts ? new Date(fresh.newest_ts) : null;
      const now = clock.now();
      if (
        options.staleAfterMs > 0 &&
        (newest === null ||
          now.getTime() - newest.getTime() > options.staleAfterMs)
      ) {
        await sendAlert(staleAlert({
          pipeline,
          source,
          newestTs: newest,
          thresholdMs: options.staleAfterMs,
          at: now,
        }));
      }
    } catch (err) {
      log.error(`cannot check freshness: ${errorMessage(err)}`);
    }
  }

  const handlers: Record<JobName, (at: Date) => Promise<void>> = {
    etl: runEtl,
    retention: runRetention,
  };

  async function drain(w: Worker): Promise<void> {
    w.busy = true;
    w.idle = new Promise((r) => w.markIdle = r);
    try {
      while (w.queue.length > 0 && state === "running") {
        const item = w.queue.shift()!;
        try {
          await handlers[w.job](item.at);
        } catch (err) {
          logger.error(
            `occurrence ${w.job} ${item.at.toISOString()} failed in the ` +
              `scheduler: ${errorMessage(err)}`,
            { job: w.job, scheduled_for: item.at },
          );
        } finally {
          item.done();
        }
      }
      for (const item of w.queue.splice(0)) {
        await db(() =>
          recordNotRun(client, {
            ...keyOf(w.job, item.at),
            status: "interrupted",
            reason: "the scheduler stopped before it ran",
            claimedBy: instanceId,
            now: clock.now(),
          })
        ).catch(() => {});
        item.done();
      }
    } finally {
      w.busy = false;
      w.markIdle();
    }
  }

  function enqueue(job: JobName, at: Date): Promise<void> {
    const w = workers[job];
    const finished = new Promise<void>((resolve) => {
      w.queue.push({ at, done: resolve });
    });
    if (!w.busy) drain(w);
    return finished;
  }

  async function fire(job: JobName, at: Date): Promise<void> {
    if (state !== "running") return;
    const w = workers[job];
    if (w.busy || w.queue.length > 0) {
      logger.warn(
        `${job} occurrence ${at.toISOString()} skipped: the previous ` +
          `occurrence is still running`,
        { job, scheduled_for: at },
      );
      await db(() =>
        recordNotRun(client, {
          ...keyOf(job, at),
          status: "skipped",
          reason: "the previous occurrence was still running",
          claimedBy: instanceId,
          now: clock.now(),
        })
      ).catch((err) =>
        logger.error(`cannot record a skipped occurrence: ${errorMessage(err)}`)
      );
      metrics.recordOccurrence(pipeline, job, "skipped");
      return;
    }
    await enqueue(job, at);
  }

  // Missed occurrences (planned and recorded before anything runs), then
  // the live firings.
  const startedAt = clock.now();
  const plans = [];
  for (const job of ["etl", "retention"] as const) {
    const plan = planMissed({
      cadence: cadences[job],
      last: await lastOccurrence(client, { pipeline, job }),
      interrupted: await interruptedOccurrences(client, { pipeline, job }),
      now: startedAt,
      policy: options.missed,
      cap: options.missedCap,
    });
    plans.push({ job, plan });
    if (plan.total > 0) {
      logger.info(
        `${job}: ${plan.total} occurrence(s) missed while the scheduler was ` +
          `down; policy ${options.missed}: running ${plan.run.length}, ` +
          `recording ${plan.skip.length} as skipped`,
        { job },
      );
    }
    for (const at of plan.skip) {
      await recordNotRun(client, {
        ...keyOf(job, at),
        status: "skipped",
        reason:
          `missed while the scheduler was down (policy ${options.missed})`,
        claimedBy: instanceId,
        now: clock.now(),
      });
      metrics.recordOccurrence(pipeline, job, "skipped");
    }
  }
  const catchUp = plans.flatMap(({ job, plan }) =>
    plan.run.map((at) => enqueue(job, at))
  );
  for (const job of ["etl", "retention"] as const) {
    const cadence = cadences[job];
    trigger.register(
      `sluice ${pipeline} ${job}`,
      cadence,
      (at) => void fire(job, at),
      unregister.signal,
    );
    logger.info(`registered ${job}: ${cadence.describe}`, {
      job,
      trigger: trigger.kind,
      next: cadence.next(clock.now())?.toISOString(),
    });
    // Occurrences due between planning and registering fire now.
    const gap = missedOccurrences(cadence, {
      after: startedAt,
      until: clock.now(),
      keep: 1,
    });
    for (const at of gap.times) void fire(job, at);
  }

  async function stop(reason: string): Promise<void> {
    if (state !== "running") return done;
    state = "stopping";
    logger.info(
      `stopping (${reason}): no new runs; the current run stops at a safe ` +
        `point, its load commits or rolls back whole`,
    );
    unregister.abort();
    stopRuns.abort(new Error(reason));
    await Promise.all(Object.values(workers).map((w) => w.idle));
    await Promise.allSettled(catchUp);
    await db(() => lock!.release()).catch(() => {});
    state = "stopped";
    logger.info("scheduler stopped");
    resolveDone();
    return done;
  }

  return {
    instanceId,
    done,
    state: () => state,
    fire,
    idle: async () => {
      while (Object.values(workers).some((w) => w.busy || w.queue.length)) {
        await Promise.all(Object.values(workers).map((w) => w.idle));
      }
    },
    stop,
  };
}
