/**
 * One guarded run: take the pipeline's run lock (or report who holds it),
 * repair the history of runs that died, run the pipeline, release the lock.
 * The `run` command and the scheduler's in-process executor both call it.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import type { Clock } from "@pipeline/clock.ts";
import { runPipeline } from "@pipeline/run.ts";
import type { RunSummary, RunTrigger } from "@pipeline/summary.ts";
import {
  advisoryLock,
  lockedMessage,
  type LockHolder,
  lockHolder,
  runLockKey,
} from "@pipeline/ops/lock.ts";
import { markAbandonedRuns } from "@pipeline/ops/history.ts";
import type { Logger } from "@pipeline/ops/logging.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import { noProgress, type Progress } from "@pipeline/ops/progress.ts";
import type { Sleep } from "@pipeline/extract/http/sleep.ts";
import type { Extraction } from "@pipeline/runner/extract_stage.ts";
import { errorMessage } from "@pipeline/errors.ts";

/** Options of {@link executeRun}. */
export interface ExecuteRunOptions {
  /** The pipeline: the lock's name. */
  pipeline: string;
  /** The run id (the scheduler decides it, to follow its process). */
  runId: string;
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /** Snapshot after the load. Default true. */
  snapshot?: boolean;
  /** Incremental loading with this lag, or off (default). */
  incremental?: { lagMs: number } | false | undefined;
  /** Default `manual`. */
  trigger?: RunTrigger;
  /** Default 1. */
  attempt?: number;
  /** The scheduled occurrence served, if any. */
  scheduledFor?: Date | undefined;
  /** Wait for a running run of the pipeline instead of refusing. Default false. */
  wait?: boolean;
  /** Poll interval while waiting, ms. Default 1000. */
  waitPollMs?: number;
}

/** What {@link executeRun} needs from outside. */
export interface ExecuteRunDeps {
  client: SqlClient;
  /** "Now" for the data (`--as-of`). */
  clock: Clock;
  /** The real time, for the run history. Default `clock`. */
  wallClock?: Clock;
  /** The run's logger (bound to its run id). */
  logger: Logger;
  /** Builds the source (called only once the lock is held). */
  source: () => Promise<Source> | Source;
  /** Aborted by SIGINT/SIGTERM: stops waiting, or stops the run safely. */
  signal?: AbortSignal | undefined;
  progress?: Progress;
  alerter?: Alerter | undefined;
  /** Configured secrets, redacted from extracted records (see `RunDeps`). */
  secrets?: readonly string[] | undefined;
  /** The extract stage, begun before the lock was taken (see `RunDeps`). */
  extraction?: Promise<Extraction> | undefined;
  /** Waits while polling the lock. Default a real timer. */
  sleep?: Sleep;
}

/** How a guarded run ended. */
export type ExecuteOutcome =
  | { status: "succeeded" | "failed"; summary: RunSummary }
  | { status: "interrupted"; summary: RunSummary | null }
  | { status: "locked"; holder: LockHolder | null; message: string };

/**
 * Runs the pipeline under its run lock. Never runs two of one pipeline at
 * once: when the lock is taken it returns `locked` at once (or, with
 * `wait`, waits). Returns `interrupted` when the signal stopped it.
 */
export async function executeRun(
  options: ExecuteRunOptions,
  deps: ExecuteRunDeps,
): Promise<ExecuteOutcome> {
  const { pipeline, wait = false, waitPollMs = 1000 } = options;
  const { client, clock, logger, signal } = deps;
  let lock;
  try {
    lock = await advisoryLock(client, runLockKey(pipeline), {
      wait,
      pollMs: waitPollMs,
      signal,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      onWait: async () => {
        const holder = await lockHolder(client, pipeline);
        logger.info(
          `waiting: ${lockedMessage(pipeline, holder).replace(/;.*/, "")}`,
        );
      },
    });
  } catch (err) {
    if (signal?.aborted) return { status: "interrupted", summary: null };
    throw err;
  }
  if (!lock) {
    const holder = await lockHolder(client, pipeline);
    return {
      status: "locked",
      holder,
      message: lockedMessage(pipeline, holder),
    };
  }
  try {
    await migrateToLatest(client);
    const abandoned = await markAbandonedRuns(client, {
      pipeline,
      now: (deps.wallClock ?? clock).now(),
    });
    for (const id of abandoned) {
      logger.warn(
        `run ${id} of pipeline ${pipeline} was still marked running but ` +
          `its process is gone: marked failed (abandoned)`,
      );
    }
    const source = await deps.source();
    const summary = await runPipeline(source, {
      dataDir: options.dataDir,
      snapshot: options.snapshot ?? true,
      incremental: options.incremental,
      pipeline,
      trigger: options.trigger ?? "manual",
      attempt: options.attempt ?? 1,
      scheduledFor: options.scheduledFor,
    }, {
      client,
      clock,
      wallClock: deps.wallClock ?? clock,
      log: (line) => logger.info(line),
      newRunId: () => options.runId,
      signal,
      progress: deps.progress ?? noProgress,
      alerter: deps.alerter,
      secrets: deps.secrets,
      extraction: deps.extraction,
    });
    if (summary.interrupted) return { status: "interrupted", summary };
    return { status: summary.status, summary };
  } finally {
    // A lost database loses the lock with its session: the summary, not
    // the failed release, is what the caller must see.
    await lock.release().catch((err) =>
      logger.warn(`cannot release the run lock: ${errorMessage(err)}`)
    );
  }
}
