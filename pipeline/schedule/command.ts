/**
 * `deno task etl schedule`: wires the scheduler to the database, the
 * metrics endpoint, the alert webhook, an executor and `Deno.cron`, and
 * runs until SIGINT/SIGTERM.
 * @module
 */
import type { RunConfig } from "@pipeline/config.ts";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { EnvMap } from "@pipeline/extract/http/env.ts";
import type { Logger } from "@pipeline/ops/logging.ts";
import { LockedError } from "@pipeline/ops/lock.ts";
import { handleStopSignals } from "@pipeline/ops/signals.ts";
import { webhookAlerter } from "@pipeline/ops/alerts.ts";
import { sluiceMetrics } from "@pipeline/ops/sluice_metrics.ts";
import { serveMetrics } from "@pipeline/ops/metrics_server.ts";
import type { ScheduleConfig } from "@pipeline/schedule/config.ts";
import {
  type Cadence,
  cronCadence,
  everyCadence,
} from "@pipeline/schedule/cadence.ts";
import {
  denoCronTrigger,
  intervalTrigger,
} from "@pipeline/schedule/trigger.ts";
import {
  type Executor,
  inlineExecutor,
  processExecutor,
} from "@pipeline/schedule/executor.ts";
import { type JobName, startScheduler } from "@pipeline/schedule/scheduler.ts";
import { retentionJob } from "@pipeline/warehouse/retention_command.ts";

/** What the `schedule` command (pipeline/cli/commands/schedule.ts) gives the scheduler. */
export interface ScheduleCommandOptions {
  config: RunConfig;
  schedule: ScheduleConfig;
  pipeline: string;
  /** The run-configuration flags, passed on to each child run. */
  runArgs: readonly string[];
  /** The environment (merged with .env): ALERT_WEBHOOK_URL, keys. */
  env: EnvMap;
  secrets: readonly string[];
  logger: Logger;
  /** The clock of inline runs (`--as-of` or the machine's). */
  runClock: Clock;
  openDatabase: (
    config: RunConfig,
  ) => Promise<{ client: SqlClient; where: string; close(): Promise<void> }>;
  exit: { ok: number; usage: number; locked: number; interrupted: number };
}

/** Runs the scheduler until a signal stops it; returns the exit status. */
export async function scheduleCommand(
  options: ScheduleCommandOptions,
): Promise<number> {
  const { config, schedule, pipeline, logger, exit } = options;
  const clock = systemClock;
  const kind = schedule.executor ?? (config.databaseUrl ? "process" : "inline");
  if (kind === "process" && !config.databaseUrl) {
    logger.error(
      "error: --executor process needs a Postgres server (DATABASE_URL): " +
        "PGlite belongs to one process, so with PGlite runs are inline",
    );
    return exit.usage;
  }
  let db;
  try {
    db = await options.openDatabase(config);
  } catch (err) {
    logger.error(`error: ${errorMessage(err)}`);
    return err instanceof LockedError ? exit.locked : 1;
  }
  const startedAt = clock.now();
  const metrics = sluiceMetrics(startedAt);
  let state = "starting";
  let server;
  try {
    server = serveMetrics({
      port: schedule.metricsPort,
      render: () => metrics.render(),
      health: () => ({ ok: state === "running", state }),
    });
  } catch (err) {
    await db.close();
    logger.error(
      `error: cannot serve metrics on 127.0.0.1:${schedule.metricsPort}: ${
        errorMessage(err)
      }`,
    );
    return exit.usage;
  }
  const alerter = webhookAlerter({
    url: options.env.ALERT_WEBHOOK_URL,
    logger,
    secrets: options.secrets,
  });
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) childEnv[k] = v;
  if (config.databaseUrl) childEnv.DATABASE_URL = config.databaseUrl;
  delete childEnv.SLUICE_SCHEDULE_TICK_MS;
  const executor: Executor = kind === "process"
    ? processExecutor({
      runArgs: options.runArgs,
      env: childEnv,
      source: config.source,
      client: db.client,
      clock,
      logger,
    })
    : inlineExecutor({
      config,
      client: db.client,
      clock: options.runClock,
      wallClock: clock,
      logger,
      source: () => sourceFor(config, { clock: options.runClock }),
      alerter,
      secrets: options.secrets,
    });
  const tick = schedule.tickMs;
  const cadences: Record<JobName, Cadence> = tick
    ? { etl: everyCadence(tick), retention: everyCadence(tick) }
    : {
      etl: cronCadence(schedule.etlCron),
      retention: cronCadence(schedule.retentionCron),
    };
  if (tick) {
    logger.warn(
      `SLUICE_SCHEDULE_TICK_MS=${tick}: test mode, every job fires every ` +
        `${tick} ms through a timer instead of Deno.cron`,
    );
  }
  let scheduler;
  try {
    scheduler = await startScheduler({
      pipeline,
      source: config.source,
      cadences,
      missed: schedule.missed,
      missedCap: schedule.missedCap,
      retry: {
        retries: schedule.retries,
        baseMs: schedule.retryBaseMs,
        maxMs: schedule.retryMaxMs,
      },
      staleAfterMs: schedule.staleAfterMs,
    }, {
      client: db.client,
      clock,
      logger,
      executor,
      alerter,
      metrics,
      trigger: tick ? intervalTrigger(clock) : denoCronTrigger(clock),
      retention: retentionJob({
        client: db.client,
        dataDir: config.dataDir,
        clock: options.runClock,
      }),
    });
  } catch (err) {
    await server.close();
    await db.close();
    logger.error(`error: ${errorMessage(err)}`);
    return err instanceof LockedError ? exit.locked : 1;
  }
  state = "running";
  logger.info(
    `scheduler ${scheduler.instanceId} running: pipeline ${pipeline}, ` +
      `source ${config.source}, database ${db.where}, executor ${executor.kind}`,
    {
      metrics: `${server.url}/metrics`,
      healthz: `${server.url}/healthz`,
      snapshot: config.snapshot ? "after each load" : "off (--no-snapshot)",
      missed: schedule.missed,
      retries: schedule.retries,
    },
  );
  const dispose = handleStopSignals({
    logger,
    onStop: (sig) => {
      state = "stopping";
      void scheduler.stop(sig);
    },
    onForce: () => Deno.exit(exit.interrupted),
  });
  try {
    await scheduler.done;
  } finally {
    dispose();
    await server.close();
    await db.close();
  }
  return exit.ok;
}
