/**
 * `deno task etl schedule`: the long-running scheduler.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import type { Flag } from "@pipeline/cli/flag.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { openDatabase } from "@pipeline/cli/database.ts";
import { pipelineName } from "@pipeline/cli/pipeline_name.ts";
import { PIPELINE_FLAG, RUN_CONFIG_FLAGS } from "@pipeline/cli/run_flags.ts";
import { duration, number } from "@pipeline/cli/values.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { ConfigError } from "@pipeline/config.ts";
import {
  parseScheduleConfig,
  type ScheduleConfig,
} from "@pipeline/schedule/config.ts";
import { MISSED_POLICIES } from "@pipeline/schedule/occurrences.ts";

/** Test-only: every job fires every this many ms (see ScheduleConfig). */
const TICK_ENV = "SLUICE_SCHEDULE_TICK_MS";

const SCHEDULE_FLAGS: readonly Flag[] = [
  {
    name: "cron",
    value: "EXPR",
    help: "when the ETL runs, UTC cron",
    into: "schedule",
    key: "etlCron",
    shownDefault: `"5 * * * *"`,
  },
  {
    name: "retention-cron",
    value: "EXPR",
    help: "when retention runs",
    into: "schedule",
    key: "retentionCron",
    shownDefault: `"30 3 * * *"`,
  },
  {
    name: "missed",
    value: "POLICY",
    help:
      "occurrences missed while down: skip them, run the latest once, or run all up to --missed-cap",
    into: "schedule",
    key: "missed",
    choices: MISSED_POLICIES,
    shownDefault: "once",
  },
  {
    name: "missed-cap",
    value: "N",
    help: "most missed occurrences run or recorded",
    into: "schedule",
    key: "missedCap",
    parse: number,
    shownDefault: "24",
  },
  {
    name: "retries",
    value: "N",
    help: "retries of a failed run",
    into: "schedule",
    key: "retries",
    parse: number,
    shownDefault: "3",
  },
  {
    name: "retry-base",
    value: "DURATION",
    help: "first retry delay ceiling, doubling",
    into: "schedule",
    key: "retryBaseMs",
    parse: duration,
    shownDefault: "1m",
  },
  {
    name: "retry-max",
    value: "DURATION",
    help: "longest retry delay",
    into: "schedule",
    key: "retryMaxMs",
    parse: duration,
    shownDefault: "15m",
  },
  {
    name: "stale-after",
    value: "DURATION",
    help: "alert when the newest loaded data is older; 0s turns it off",
    into: "schedule",
    key: "staleAfterMs",
    parse: duration,
    shownDefault: "96h",
  },
  {
    name: "metrics-port",
    value: "PORT",
    help:
      "port of /metrics and /healthz on 127.0.0.1 (0 picks a free one, logged)",
    into: "schedule",
    key: "metricsPort",
    parse: number,
    shownDefault: "9464",
  },
  {
    name: "executor",
    value: "KIND",
    help:
      "a child process per run (the default with a Postgres server), or each run in this process (always with PGlite)",
    into: "schedule",
    key: "executor",
    choices: ["process", "inline"],
  },
];

/** The `schedule` command. */
export const scheduleCommand: Command = {
  name: "schedule",
  summary:
    "long-running scheduler: the ETL hourly, retention daily, metrics on http://127.0.0.1:9464/metrics",
  usage: "deno task etl schedule [FLAGS]",
  description:
    `Runs until SIGINT/SIGTERM: registers Deno.cron jobs (UTC), the ETL (with the
run flags below; snapshot after each load) and retention (as the retention
command with each table's configured age; a no-op while none is set). Each
occurrence is recorded once in Postgres by (pipeline, job, time); a failed ETL
run is retried with backoff, and a final failure (of retention too) or stale
data raises an alert (ALERT_WEBHOOK_URL). On SIGINT/SIGTERM it takes no new
runs and lets the current one stop at a safe point (its load commits or rolls
back whole). A second signal exits at once.`,
  flags: [
    { title: "Flags", flags: [...SCHEDULE_FLAGS, PIPELINE_FLAG] },
    { ...RUN_CONFIG_FLAGS, title: "Run flags of the scheduled ETL" },
  ],
  notes: "Durations: 250ms, 30s, 5m, 2h, 1d, 1h30m.",
  exit: [
    [0, "stopped cleanly"],
    [2, "bad usage"],
    [
      3,
      "another scheduler of the pipeline runs against this database (or the PGlite directory is in use)",
    ],
    [4, "stopped by a second signal"],
  ],
  async run({ config, options, schedule: given, runArgs, runtime }) {
    let schedule: ScheduleConfig;
    try {
      const tick = Deno.env.get(TICK_ENV);
      let tickMs: number | undefined;
      if (tick) {
        try {
          tickMs = number(tick);
        } catch (err) {
          throw new ConfigError(`${TICK_ENV}: ${errorMessage(err)}`);
        }
      }
      schedule = parseScheduleConfig({
        ...given,
        ...(tickMs === undefined ? {} : { tickMs }),
      });
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    const { scheduleCommand: runScheduler } = await import(
      "@pipeline/schedule/command.ts"
    );
    return await runScheduler({
      config,
      schedule,
      pipeline: pipelineName(config, options.pipeline as string | undefined),
      runArgs,
      env: runtime.env,
      secrets: runtime.secrets,
      logger: runtime.logger,
      runClock: runtime.clock,
      openDatabase,
      exit: EXIT,
    });
  },
};
