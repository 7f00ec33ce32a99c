/**
 * The `deno task etl` command line. Plumbing only: parses flags, validates
 * the configuration once, opens the database and hands everything to the
 * command (`run`, `migrate`, `status`, `schedule`, `retention`, `snapshot`,
 * ...). Commands that work on the warehouse and the lake (`backfill`,
 * `retention`, `diff`) first pay the lake's debt; `status` only shows it.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  ConfigError,
  parseLocation,
  parseRunConfig,
  redactUrl,
  type RunConfig,
  SOURCE_NAMES,
} from "@pipeline/config.ts";
import { connect, type SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { sourceFor } from "@pipeline/sources.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { type Clock, fixedClock, systemClock } from "@pipeline/clock.ts";
import {
  formatSummary,
  peakRssMib,
  RUN_TRIGGERS,
  type RunTrigger,
} from "@pipeline/summary.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { loadEnv } from "@pipeline/extract/http/env.ts";
import {
  createLogger,
  LOG_FORMATS,
  type LogFormat,
  type Logger,
  stderrWrite,
} from "@pipeline/ops/logging.ts";
import { secretsFromEnv } from "@pipeline/ops/secrets.ts";
import { progressFor } from "@pipeline/ops/progress.ts";
import { handleStopSignals } from "@pipeline/ops/signals.ts";
import { LockedError } from "@pipeline/ops/lock.ts";
import { type DirLock, lockDirectory } from "@pipeline/ops/dir_lock.ts";
import { executeRun } from "@pipeline/ops/execute.ts";
import { type Alerter, webhookAlerter } from "@pipeline/ops/alerts.ts";
import { formatStatus, readStatus } from "@pipeline/ops/status.ts";
import { PipelineNameSchema } from "@pipeline/ops/pipeline_name.ts";
import { parseDuration } from "@pipeline/schedule/duration.ts";
import { parseScheduleConfig } from "@pipeline/schedule/config.ts";
import { scheduleCommand } from "@pipeline/schedule/command.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { type LakeDebtPayment, payLakeDebt } from "@pipeline/snapshot/pay.ts";
import {
  daysOf,
  REPROCESS,
  type Reprocess,
} from "@pipeline/incremental/backfill.ts";
import {
  backfillCommand,
  formatBackfill,
} from "@pipeline/incremental/backfill_command.ts";
import { resetDataset } from "@pipeline/incremental/reset.ts";
import { retentionCommand } from "@pipeline/warehouse/retention_command.ts";
import { diffCommand } from "@pipeline/warehouse/diff_command.ts";

/**
 * Exit codes of the CLI: 0 ok; 1 the run failed; 2 bad usage or
 * configuration; 3 locked (another run of the pipeline is in progress,
 * another scheduler of it runs, or another process has the PGlite directory);
 * 4 interrupted (SIGINT/SIGTERM stopped the run at a safe point).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  interrupted: 4,
} as const;

const COMMON_HELP = `
  --data-dir DIR        where PGlite (DIR/pglite), the Parquet lake (DIR/lake)
                        and DIR/analytics.duckdb live (default ./data)
  --database-url URL    load a Postgres server instead of embedded PGlite
                        (default: the DATABASE_URL environment variable)
  --log-format FORMAT   text (readable, the default) | json (one object per
                        line); every line of a run carries its run id
  -h, --help            show this help`;

const RUN_FLAGS_HELP = `  --source NAME         ${
  SOURCE_NAMES.join(" | ")
} (default synthetic)
  --kind KIND           bars (default) | symbols: reference data (name,
                        exchange, currency, sector) of the synthetic or file
                        source into the SCD2 dimension dim_symbol
  --input PATH          input file of --source file: .csv, .json (array of
                        objects) or .parquet with columns symbol, ts, open,
                        high, low, close, volume (ts ISO-8601 with offset, or
                        epoch s, ms, us or ns, read by the number of digits);
                        with --kind symbols: symbol,
                        name, exchange, currency, sector (a full reference)
  --symbols A,B,...     symbols of the synthetic, alphavantage and finnhub
                        sources (default: 10 tickers)
  --sessions N          trading sessions of the synthetic source (default 5)
  --seed N              seed of the synthetic source (default 42)
  --defect-rate R       share of defective synthetic records, 0..1
                        (default 0.005)
  --start TIME          window start (included) of the HTTP sources and the
                        synthetic source, UTC
  --end TIME            window end (excluded); default: the last 7 days up
                        to the end of today (alphavantage: this month)
  --month YYYY-MM       a calendar month as the window (alphavantage: its
                        US/Eastern month, one request per symbol)
  --locations L,...     openmeteo locations as name:latitude:longitude
                        (default new-york, seattle, london)
  --endpoint NAME       openmeteo: forecast (recent days) | archive (history)
  --from-raw            rebuild from responses landed under DATA_DIR/raw/
                        instead of calling the API
  --raw-date DATE       with --from-raw: only responses landed that UTC day
  --no-raw-landing      do not land HTTP responses under DATA_DIR/raw/
  --as-of TIME          run as if now were TIME (ISO-8601); default: now
  --no-snapshot         skip the Parquet/DuckDB snapshot
  --lag DURATION        incremental lookback below each partition's watermark
                        (e.g. 30m, 2h; default 30m): late and corrected
                        records in it are merged again
  --no-incremental      ignore the watermarks: extract the whole window
  --pipeline NAME       the pipeline's name: its lock, schedule and history
                        (default: the source name)`;

const EXIT_HELP =
  `Exit status: 0 ok, 1 the run failed (summary says why), 2 bad usage,
3 locked (another run of the pipeline is in progress, another scheduler of it,
or the PGlite directory is in use), 4 interrupted by SIGINT/SIGTERM.`;

const HELP: Record<string, string> = {
  main: `Sluice ETL

Usage: deno task etl [COMMAND] [FLAGS]

Commands:
  run       one run of the pipeline (the default command)
  schedule  long-running scheduler: the ETL hourly, retention daily,
            metrics on http://127.0.0.1:9464/metrics
  status    recent runs, last success and lag per source, quarantine
  backfill  a date range in chunks of one day per symbol or location,
            resumable: deno task etl backfill --from DATE --to DATE
  reset     wipe a dataset and its state: deno task etl reset bars
  migrate   apply the database migrations and exit
  retention move partitions older than the retention age to the Parquet lake
  diff      compare two daily snapshots of a lake table: inserted, updated
            and deleted keys, recorded in etl_snapshot_diffs
  snapshot  pay the lake's debt: rewrite the Parquet partitions that loads
            changed since they were last written (a killed run, --no-snapshot)
  help      show help for a command: deno task etl help run

Run 'deno task etl COMMAND --help' for the flags of a command.

Environment (also read from a .env file; the environment wins):
  DATABASE_URL          Postgres server URL (same as --database-url)
  ALERT_WEBHOOK_URL     where alerts are POSTed as JSON (Slack-compatible);
                        unset: alerts are only logged
  ALPHAVANTAGE_API_KEY  key of the alphavantage source
  FINNHUB_API_KEY       key of the finnhub source
  ALPHAVANTAGE_BASE_URL, FINNHUB_BASE_URL, OPENMETEO_BASE_URL
                        base URLs of the HTTP sources (proxies, tests)
`,
  run: `deno task etl [run] [FLAGS]

One run: extract -> validate -> transform -> load -> snapshot, then a summary
table on stderr (and with --json, one JSON object on stdout). Only one run of
a pipeline at a time: a second one exits with status 3 at once (or waits,
with --wait).

Flags:
${RUN_FLAGS_HELP}
  --wait                wait for a run of the same pipeline in progress
                        instead of exiting with status 3
  --trigger KIND        manual (default) | backfill | schedule, as recorded
  --json                print the run summary as JSON on stdout
Set by the scheduler (you rarely need them):
  --run-id UUID, --attempt N, --scheduled-for TIME${COMMON_HELP}

${EXIT_HELP}
`,
  schedule: `deno task etl schedule [FLAGS]

Runs until SIGINT/SIGTERM: registers Deno.cron jobs (UTC), the ETL (with the
run flags below; snapshot after each load) and retention (as the retention
command with each table's configured age; a no-op while none is set). Each
occurrence is recorded once in Postgres by (pipeline, job, time); a failed ETL
run is retried with backoff, and a final failure (of retention too) or stale
data raises an alert (ALERT_WEBHOOK_URL). On
SIGINT/SIGTERM it takes no new runs and lets the current one stop at a safe
point (its load commits or rolls back whole). A second signal exits at once.

Flags:
  --cron EXPR           when the ETL runs, UTC cron (default "5 * * * *")
  --retention-cron EXPR when retention runs (default "30 3 * * *")
  --missed POLICY       occurrences missed while down: skip | once (default:
                        run the latest) | all (up to --missed-cap)
  --missed-cap N        most missed occurrences run or recorded (default 24)
  --retries N           retries of a failed run (default 3)
  --retry-base DURATION first retry delay ceiling, doubling (default 1m)
  --retry-max DURATION  longest retry delay (default 15m)
  --stale-after DURATION
                        alert when the newest loaded data is older (default
                        96h; 0s turns it off)
  --metrics-port PORT   port of /metrics and /healthz on 127.0.0.1
                        (default 9464; 0 picks a free one, logged)
  --executor KIND       process (a child process per run; default with a
                        Postgres server) | inline (in this process; always
                        with PGlite)
Run flags of the scheduled ETL:
${RUN_FLAGS_HELP}${COMMON_HELP}

Durations: 250ms, 30s, 5m, 2h, 1d, 1h30m.
Exit status: 0 stopped cleanly, 2 bad usage, 3 another scheduler of the
pipeline runs against this database (or the PGlite directory is in use),
4 stopped by a second signal.
`,
  status: `deno task etl status [FLAGS]

Prints the recent runs (trigger, attempt, status, rows, quarantined, error),
the last success and newest data of each source with its lag behind now,
quarantine counts by dataset and source, and the latest scheduled
occurrences.

Flags:
  --limit N             recent runs to list (default 10)
  --json                print the status as one JSON object${COMMON_HELP}
`,
  backfill: `deno task etl backfill --from DATE --to DATE [FLAGS]

Processes the UTC days [--from, --to) in chunks of one day of one partition
(symbol or location), each chunk loaded in its own transaction with its row
in etl_backfill_chunks: an interrupted backfill (SIGINT/SIGTERM stops at the
next chunk; a kill rolls the chunk back) resumes without redoing finished
chunks. Watermarks never move back. Progress lines: done/total, rows, ETA.
Recorded as a run with trigger backfill; the written dates are snapshotted.

Flags:
  --from DATE           first UTC day, included (YYYY-MM-DD)
  --to DATE             end UTC day, excluded (YYYY-MM-DD)
  --reprocess WHICH     missing (default: chunks without a successful load)
                        | failed (only failed or interrupted chunks) | all
  --dry-run             print the chunks it would process; write nothing
  --wait                wait for a run of the pipeline in progress
  --json                print the report as JSON on stdout
Source flags (as for run): --source, --symbols, --seed, --defect-rate,
  --locations, --endpoint, --from-raw (rebuild from DATA_DIR/raw, no API
  calls), --raw-date, --as-of, --no-snapshot, --pipeline${COMMON_HELP}

Exit status: 0 every chunk succeeded, 1 some failed, 2 bad usage, 3 locked,
4 interrupted (run it again to resume).
`,
  reset: `deno task etl reset DATASET [--yes] [FLAGS]

Wipes a dataset (bars, weather, symbols): the rows of its tables, its quarantined
records, its watermarks and backfill chunks (one transaction), and its
Parquet files in the lake. Run history is kept. Asks to type the dataset's
name unless --yes.

Flags:
  --yes                 do not ask for confirmation${COMMON_HELP}
`,
  retention: `deno task etl retention [FLAGS]

Moves old partitions to the lake: each partition of bars_1m, bars_5m, bars_1h
and weather_hourly whose whole range is older than the retention age is
exported to DATA_DIR/lake/<table>/date=YYYY-MM-DD/ (registered in
DATA_DIR/analytics.duckdb), its row count checked against the Parquet files,
then detached and dropped. The DEFAULT partition is never dropped. A rerun
finishes what an interrupted one left. The scheduler runs it daily.

Flags:
  --older-than DURATION archive partitions older than this (e.g. 90d) instead
                        of each table's age in etl_partitioning.retention
                        (NULL there: kept forever)
  --table NAME          only this table
  --dry-run             print what would be archived; change nothing
  --json                print the result as one JSON object${COMMON_HELP}

Durations: 12h, 90d, 1d12h.
Exit status: 0 ok, 1 a partition could not be archived (see the error),
2 bad usage.
`,
  diff: `deno task etl diff --table T --from D1 --to D2 [FLAGS]

Compares the Parquet snapshots of table T (DATA_DIR/lake/T/date=D/) of two
dates in DuckDB: a key only on D2 is inserted, only on D1 deleted, on both
with any other column different (nulls compared as values; load_id and
snapshot bookkeeping ignored) updated. Prints the counts and keys and records
them in etl_snapshot_diffs (a later diff of the same dates replaces them).

Flags:
  --table NAME          a lake table, e.g. symbols_ref
  --from DATE           the older snapshot date, YYYY-MM-DD
  --to DATE             the newer snapshot date, YYYY-MM-DD
  --key A,B             key columns (default: the table's key, e.g. symbol
                        for symbols_ref, symbol,ts for bars_1m)
  --json                print the diff as one JSON object${COMMON_HELP}

Exit status: 0 done, 2 bad usage: a missing flag, an unknown table, a date
without a snapshot, a key that is not a unique column.
`,
  snapshot: `deno task etl snapshot [FLAGS]

Pays the lake's debt and nothing else: every lake partition (a table's day,
month or year) that a committed load changed and whose Parquet files were not
rewritten since (the run was killed during its snapshot, the disk was full,
the server went away, or it ran with --no-snapshot) is exported again from
the warehouse and registered in DATA_DIR/analytics.duckdb; leftover staging
directories are removed. run, backfill, retention and diff pay it too before
their work; status shows what is owed.

Flags:
  --json                print what was written as one JSON object${COMMON_HELP}

Exit status: 0 paid (or nothing owed), 1 a partition could not be written
(it stays owed; see the error).
`,
  migrate: `deno task etl migrate [FLAGS]

Applies the pending schema migrations (runs also apply them automatically).

Flags:${COMMON_HELP}
`,
};

/** Flags of the run configuration (what a scheduled run is given). */
const RUN_CONFIG_FLAGS = [
  "source",
  "kind",
  "input",
  "symbols",
  "sessions",
  "seed",
  "defect-rate",
  "as-of",
  "start",
  "end",
  "month",
  "locations",
  "endpoint",
  "from-raw",
  "raw-date",
  "no-raw-landing",
  "data-dir",
  "no-snapshot",
  "lag",
  "no-incremental",
] as const;

const SCHEDULE_FLAGS = [
  "cron",
  "retention-cron",
  "missed",
  "missed-cap",
  "retries",
  "retry-base",
  "retry-max",
  "stale-after",
  "metrics-port",
  "executor",
];

/** Which command accepts which flag (flags of every command are left out). */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  run: [
    ...RUN_CONFIG_FLAGS,
    "pipeline",
    "wait",
    "trigger",
    "run-id",
    "attempt",
    "scheduled-for",
    "json",
  ],
  schedule: [...RUN_CONFIG_FLAGS, "pipeline", ...SCHEDULE_FLAGS],
  status: ["json", "limit"],
  backfill: [
    ...RUN_CONFIG_FLAGS,
    "pipeline",
    "from",
    "to",
    "reprocess",
    "dry-run",
    "wait",
    "json",
  ],
  reset: ["yes"],
  retention: ["older-than", "table", "dry-run", "json"],
  diff: ["table", "from", "to", "key", "json"],
  snapshot: ["json"],
  migrate: [],
};
const COMMON_FLAGS = ["data-dir", "database-url", "log-format", "help"];

/** What the command line asked for, not yet validated. */
export interface Cli {
  command: string;
  help: boolean;
  json: boolean;
  /** The raw run configuration (for `parseRunConfig`). */
  config: Record<string, unknown>;
  /** The raw schedule configuration (for `parseScheduleConfig`). */
  schedule: Record<string, unknown>;
  /** The run-configuration flags as given, for a scheduled child run. */
  runArgs: string[];
  logFormat: string;
  pipeline: string | undefined;
  wait: boolean;
  trigger: string;
  runId: string | undefined;
  attempt: number;
  scheduledFor: string | undefined;
  limit: number;
  /** `backfill` and `reset`. */
  backfill: {
    from: string | undefined;
    to: string | undefined;
    reprocess: string;
    dryRun: boolean;
  };
  /** `reset`: the dataset, and --yes. */
  reset: { dataset: string | undefined; yes: boolean };
  /** The retention command's flags. */
  retention: {
    olderThanMs: number | undefined;
    table: string | undefined;
    dryRun: boolean;
  };
  /** The flags of the `diff` command, as given. */
  diff: {
    table: string | undefined;
    from: string | undefined;
    to: string | undefined;
    key: string | undefined;
  };
}

/** Parses argv into a command and raw (unvalidated) settings. */
export function parseCli(argv: string[]): Cli {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      source: { type: "string" },
      kind: { type: "string" },
      input: { type: "string" },
      symbols: { type: "string" },
      sessions: { type: "string" },
      seed: { type: "string" },
      "defect-rate": { type: "string" },
      "as-of": { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
      month: { type: "string" },
      locations: { type: "string" },
      endpoint: { type: "string" },
      "from-raw": { type: "boolean" },
      "raw-date": { type: "string" },
      "no-raw-landing": { type: "boolean" },
      lag: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      reprocess: { type: "string" },
      "dry-run": { type: "boolean" },
      yes: { type: "boolean" },
      "no-incremental": { type: "boolean" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      "no-snapshot": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      "log-format": { type: "string" },
      pipeline: { type: "string" },
      wait: { type: "boolean" },
      trigger: { type: "string" },
      "run-id": { type: "string" },
      attempt: { type: "string" },
      "scheduled-for": { type: "string" },
      limit: { type: "string" },
      cron: { type: "string" },
      "retention-cron": { type: "string" },
      missed: { type: "string" },
      "missed-cap": { type: "string" },
      retries: { type: "string" },
      "retry-base": { type: "string" },
      "retry-max": { type: "string" },
      "stale-after": { type: "string" },
      "metrics-port": { type: "string" },
      executor: { type: "string" },
      "older-than": { type: "string" },
      table: { type: "string" },
      key: { type: "string" },
    },
  });
  let command = positionals[0] ?? "run";
  let help = values.help ?? false;
  if (positionals.length === 0 && help) command = "main";
  if (command === "help") {
    command = positionals[1] ?? "main";
    help = true;
  }
  const arg = command === "reset" ? positionals[1] : undefined;
  const maxPositionals = command === "main" || command === "reset" ? 2 : 1;
  if (positionals.length > maxPositionals && !help) {
    throw new ConfigError(`unexpected argument: ${positionals[1]}`);
  }
  const allowed = COMMAND_FLAGS[command];
  if (allowed && !help) {
    for (const t of tokens) {
      if (
        t.kind === "option" && !COMMON_FLAGS.includes(t.name) &&
        !allowed.includes(t.name)
      ) {
        throw new ConfigError(
          `${t.rawName} is not a flag of the ${command} command`,
        );
      }
    }
  }
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) {
      throw new ConfigError(`--${flag}: expected a number, got "${v}"`);
    }
    return n;
  };
  const ms = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    try {
      return parseDuration(v);
    } catch (err) {
      throw new ConfigError(`--${flag}: ${errorMessage(err)}`);
    }
  };
  const config: Record<string, unknown> = {
    source: values.source,
    kind: values.kind,
    input: values.input,
    symbols: values.symbols?.split(",").map((s) => s.trim().toUpperCase())
      .filter(Boolean),
    sessions: num("sessions", values.sessions),
    seed: num("seed", values.seed),
    defectRate: num("defect-rate", values["defect-rate"]),
    asOf: values["as-of"],
    dataDir: values["data-dir"],
    databaseUrl: values["database-url"] ?? Deno.env.get("DATABASE_URL"),
    snapshot: values["no-snapshot"] ? false : undefined,
    start: values.start,
    end: values.end,
    month: values.month,
    locations: values.locations?.split(",").filter(Boolean).map(parseLocation),
    endpoint: values.endpoint,
    fromRaw: values["from-raw"],
    rawDate: values["raw-date"],
    rawLanding: values["no-raw-landing"] ? false : undefined,
    incremental: values["no-incremental"] ? false : undefined,
    lagMs: ms("lag", values.lag),
  };
  const tick = Deno.env.get("SLUICE_SCHEDULE_TICK_MS");
  const schedule: Record<string, unknown> = {
    etlCron: values.cron,
    retentionCron: values["retention-cron"],
    missed: values.missed,
    missedCap: num("missed-cap", values["missed-cap"]),
    retries: num("retries", values.retries),
    retryBaseMs: ms("retry-base", values["retry-base"]),
    retryMaxMs: ms("retry-max", values["retry-max"]),
    staleAfterMs: ms("stale-after", values["stale-after"]),
    metricsPort: num("metrics-port", values["metrics-port"]),
    executor: values.executor,
    tickMs: tick ? num("SLUICE_SCHEDULE_TICK_MS", tick) : undefined,
  };
  for (const obj of [config, schedule]) {
    for (const k of Object.keys(obj)) {
      if (obj[k] === undefined) delete obj[k];
    }
  }
  const runArgs = tokens.flatMap((t) =>
    t.kind === "option" &&
      (RUN_CONFIG_FLAGS as readonly string[]).includes(t.name)
      ? t.value === undefined ? [`--${t.name}`] : [`--${t.name}`, t.value]
      : []
  );
  return {
    command,
    help,
    json: values.json ?? false,
    config,
    schedule,
    runArgs,
    logFormat: values["log-format"] ?? "text",
    pipeline: values.pipeline,
    wait: values.wait ?? false,
    trigger: values.trigger ?? "manual",
    runId: values["run-id"],
    attempt: num("attempt", values.attempt) ?? 1,
    scheduledFor: values["scheduled-for"],
    limit: num("limit", values.limit) ?? 10,
    backfill: {
      from: values.from,
      to: values.to,
      reprocess: values.reprocess ?? "missing",
      dryRun: values["dry-run"] ?? false,
    },
    reset: { dataset: arg, yes: values.yes ?? false },
    retention: {
      olderThanMs: ms("older-than", values["older-than"]),
      table: values.table,
      dryRun: values["dry-run"] ?? false,
    },
    diff: {
      table: values.table,
      from: values.from,
      to: values.to,
      key: values.key,
    },
  };
}

/** The settings of the operations flags, validated. */
interface OpsSettings {
  logFormat: LogFormat;
  pipeline: string;
  trigger: RunTrigger;
  runId: string;
  attempt: number;
  scheduledFor: Date | undefined;
}

function parseOpsSettings(cli: Cli, config: RunConfig): OpsSettings {
  if (!(LOG_FORMATS as readonly string[]).includes(cli.logFormat)) {
    throw new ConfigError(
      `--log-format: expected ${
        LOG_FORMATS.join(" or ")
      }, got "${cli.logFormat}"`,
    );
  }
  const pipeline = PipelineNameSchema.safeParse(
    cli.pipeline ??
      (config.kind === "symbols" ? `${config.source}-symbols` : config.source),
  );
  if (!pipeline.success) {
    throw new ConfigError(
      `--pipeline: ${pipeline.error.issues[0]?.message}, got "${cli.pipeline}"`,
    );
  }
  if (!(RUN_TRIGGERS as readonly string[]).includes(cli.trigger)) {
    throw new ConfigError(
      `--trigger: expected ${RUN_TRIGGERS.join(", ")}, got "${cli.trigger}"`,
    );
  }
  const uuid =
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (cli.runId !== undefined && !uuid.test(cli.runId)) {
    throw new ConfigError(`--run-id: expected a UUID, got "${cli.runId}"`);
  }
  if (!Number.isInteger(cli.attempt) || cli.attempt < 1) {
    throw new ConfigError(`--attempt: expected a positive integer`);
  }
  let scheduledFor: Date | undefined;
  if (cli.scheduledFor !== undefined) {
    scheduledFor = new Date(cli.scheduledFor);
    if (Number.isNaN(scheduledFor.getTime())) {
      throw new ConfigError(
        `--scheduled-for: expected an ISO-8601 time, got "${cli.scheduledFor}"`,
      );
    }
  }
  return {
    logFormat: cli.logFormat as LogFormat,
    pipeline: pipeline.data,
    trigger: cli.trigger as RunTrigger,
    runId: cli.runId ?? crypto.randomUUID(),
    attempt: cli.attempt,
    scheduledFor,
  };
}

/** An open database and what to release when done. */
export interface OpenDatabase {
  client: SqlClient;
  /** A human name of it (the server URL redacted, or the PGlite path). */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens the configured database: the server, or PGlite under
 * DATA_DIR/pglite after taking its directory lock (one process at a time).
 */
export async function openDatabase(config: RunConfig): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const client = await connect({ kind: "postgres", url: config.databaseUrl });
    return {
      client,
      where: redactUrl(config.databaseUrl),
      close: () => client.close(),
    };
  }
  const dir = join(config.dataDir, "pglite");
  const lock: DirLock = lockDirectory(dir);
  try {
    const client = await connect({ kind: "pglite", dataDir: dir });
    return {
      client,
      where: dir,
      async close() {
        try {
          await client.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Runs `fn` with SIGINT/SIGTERM turned into an abort of its signal. */
async function withSignals<T>(
  logger: Logger,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const dispose = handleStopSignals({
    logger,
    onStop: (sig) => stop.abort(new Error(sig)),
    onForce: () => Deno.exit(EXIT.interrupted),
  });
  try {
    return await fn(stop.signal);
  } finally {
    dispose();
  }
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}\n\n${HELP.main}`);
    return EXIT.usage;
  }
  const help = HELP[cli.command];
  if (!help) {
    console.error(`error: unknown command "${cli.command}"\n\n${HELP.main}`);
    return EXIT.usage;
  }
  if (cli.help) {
    console.log(cli.command === "main" ? `${help}\n${HELP.run}` : help);
    return EXIT.ok;
  }
  let config: RunConfig;
  let ops: OpsSettings;
  try {
    config = parseRunConfig(cli.config);
    ops = parseOpsSettings(cli, config);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    return EXIT.usage;
  }
  const env = loadEnv();
  const secrets = secretsFromEnv({
    ...env,
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
  });
  const clock = config.asOf ? fixedClock(config.asOf) : systemClock;
  const progress = progressFor({
    isTerminal: Deno.stderr.isTerminal(),
    format: ops.logFormat,
  });
  const logger = createLogger({
    format: ops.logFormat,
    secrets,
    write: (line) => {
      progress.clear();
      stderrWrite(line);
    },
  });
  if (cli.command === "schedule") {
    let schedule;
    try {
      schedule = parseScheduleConfig(cli.schedule);
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    return await scheduleCommand({
      config,
      schedule,
      pipeline: ops.pipeline,
      runArgs: cli.runArgs,
      env,
      secrets,
      logger,
      runClock: clock,
      openDatabase,
      exit: EXIT,
    });
  }
  const runLog = logger.child({ run_id: ops.runId });
  const alerter = webhookAlerter({
    url: env.ALERT_WEBHOOK_URL,
    logger: runLog,
    secrets,
  });
  let source: Source | undefined;
  if (cli.command === "run") {
    try {
      source = await sourceFor(config, {
        clock,
        http: {
          log: (e) =>
            runLog.warn(
              `extract: ${e.source} ${e.partition}: attempt ${e.attempt} failed (${e.reason}); retrying in ${
                (e.waitMs / 1000).toFixed(1)
              } s`,
            ),
        },
      });
    } catch (err) {
      runLog.error(`error: ${errorMessage(err)}`);
      return err instanceof EtlError && err.stage === "config"
        ? EXIT.usage
        : EXIT.failed;
    }
  }
  let backfillRange: { from: string; to: string } | undefined;
  if (cli.command === "backfill") {
    try {
      backfillRange = checkBackfillFlags(cli, config);
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
  }
  let db: OpenDatabase;
  try {
    db = await openDatabase(config);
  } catch (err) {
    if (err instanceof LockedError) {
      logger.error(`error: ${err.message}`);
      return EXIT.locked;
    }
    const where = config.databaseUrl
      ? redactUrl(config.databaseUrl)
      : join(config.dataDir, "pglite");
    logger.error(
      `error: cannot open the database ${where}: ${errorMessage(err)}`,
    );
    return EXIT.failed;
  }
  try {
    switch (cli.command) {
      case "migrate": {
        const { applied } = await migrateToLatest(db.client);
        logger.info(
          applied.length
            ? `applied ${applied.length} migrations: ${applied.join(", ")}`
            : "schema is up to date",
        );
        return EXIT.ok;
      }
      case "backfill":
        if (config.snapshot && !cli.backfill.dryRun) {
          await payDebtFirst(db.client, { config, logger });
        }
        return await backfillCli(db.client, {
          cli,
          range: backfillRange!,
          config,
          ops,
          clock,
          logger: runLog,
          alerter,
          secrets,
        });
      case "reset":
        return await resetCli(db.client, { cli, config, logger });
      case "snapshot":
        return await snapshotCommand(db.client, {
          config,
          json: cli.json,
          logger,
        });
      case "diff":
        await payDebtFirst(db.client, { config, logger });
        return await diffCommand(db.client, {
          dataDir: config.dataDir,
          ...cli.diff,
          json: cli.json,
        });
      case "status":
        return await statusCommand(db.client, {
          json: cli.json,
          limit: cli.limit,
          clock: systemClock,
        });
      case "retention":
        await payDebtFirst(db.client, { config, logger });
        return await retentionCommand({
          client: db.client,
          dataDir: config.dataDir,
          ...cli.retention,
          json: cli.json,
          clock,
          logger,
          exit: EXIT,
        });
      default:
        return await runCommand(db.client, {
          source: source!,
          config,
          ops,
          wait: cli.wait,
          json: cli.json,
          clock,
          logger: runLog,
          progress,
          alerter,
          secrets,
        });
    }
  } catch (err) {
    logger.error(`error: ${errorMessage(err)}`);
    return EXIT.failed;
  } finally {
    await db.close();
  }
}

/** The backfill flags, checked before the database is opened. */
function checkBackfillFlags(
  cli: Cli,
  config: RunConfig,
): { from: string; to: string } {
  const { from, to, reprocess } = cli.backfill;
  if (!from || !to) {
    throw new ConfigError("backfill needs --from DATE and --to DATE");
  }
  if (!(REPROCESS as readonly string[]).includes(reprocess)) {
    throw new ConfigError(
      `--reprocess: expected ${REPROCESS.join(", ")}, got "${reprocess}"`,
    );
  }
  if (config.source === "file") {
    throw new ConfigError(
      "backfill needs a source with partitions (synthetic, alphavantage, finnhub, openmeteo); load a file with the run command",
    );
  }
  daysOf(from, to);
  return { from, to };
}

/** `backfill`: the chunked, resumable backfill of a date range. */
async function backfillCli(
  client: SqlClient,
  options: {
    cli: Cli;
    range: { from: string; to: string };
    config: RunConfig;
    ops: OpsSettings;
    clock: Clock;
    logger: Logger;
    alerter: Alerter;
    secrets: readonly string[];
  },
): Promise<number> {
  const { cli, config, ops, logger } = options;
  const { reprocess, dryRun } = cli.backfill;
  const { from, to } = options.range;
  let outcome;
  try {
    outcome = await withSignals(logger, (signal) =>
      backfillCommand({
        config,
        pipeline: ops.pipeline,
        runId: ops.runId,
        from,
        to,
        reprocess: reprocess as Reprocess,
        dryRun,
        wait: cli.wait,
      }, {
        client,
        clock: options.clock,
        wallClock: systemClock,
        logger,
        signal,
        sourceDeps: { clock: options.clock },
        alerter: options.alerter,
        secrets: options.secrets,
      }));
  } catch (err) {
    logger.error(`error: ${errorMessage(err)}`);
    return err instanceof EtlError && err.stage === "config"
      ? EXIT.usage
      : EXIT.failed;
  }
  if (outcome.status === "locked") {
    logger.error(outcome.message);
    return EXIT.locked;
  }
  console.error(formatBackfill(outcome.report));
  if (cli.json) {
    console.log(
      JSON.stringify({ ...outcome.report, peak_rss_mib: peakRssMib() }),
    );
  }
  return outcome.status === "succeeded"
    ? EXIT.ok
    : outcome.status === "interrupted"
    ? EXIT.interrupted
    : EXIT.failed;
}

/** `reset DATASET`: wipes a dataset and its state after confirmation. */
async function resetCli(
  client: SqlClient,
  options: { cli: Cli; config: RunConfig; logger: Logger },
): Promise<number> {
  const { cli, config, logger } = options;
  const name = cli.reset.dataset;
  const dataset = name ? DATASETS[name] : undefined;
  if (!name || !dataset) {
    logger.error(
      `error: reset needs a dataset: ${Object.keys(DATASETS).join(", ")}${
        name ? ` (got "${name}")` : ""
      }`,
    );
    return EXIT.usage;
  }
  if (!cli.reset.yes) {
    if (!Deno.stdin.isTerminal()) {
      logger.error(
        `error: reset ${name} wipes its tables and state; confirm with --yes (stdin is not a terminal)`,
      );
      return EXIT.usage;
    }
    const answer = prompt(
      `This deletes every row of ${
        dataset.tables.map((t) => t.name).join(", ")
      }, the ${name} quarantine, watermarks and backfill state, and its lake files. Type "${name}" to confirm:`,
    );
    if (answer?.trim() !== name) {
      logger.error("reset cancelled: nothing was changed");
      return EXIT.usage;
    }
  }
  await migrateToLatest(client);
  const report = await resetDataset(client, dataset, {
    dataDir: config.dataDir,
    now: systemClock.now(),
  });
  logger.info(
    `reset ${name}: ${
      report.tables.map((t) => `${t.table} ${t.rows} rows`).join(", ")
    }, ${report.quarantined} quarantined, ${report.watermarks} watermarks, ${report.chunks} backfill chunks, ${report.lakeDirs.length} lake directories removed`,
  );
  return EXIT.ok;
}

/** One line per table of what a payment of the lake's debt wrote. */
function formatPayment(paid: LakeDebtPayment): string {
  const lines = [
    `lake debt: ${paid.paid} of ${paid.owed} partitions paid${
      paid.duckdbPath ? ` -> ${paid.duckdbPath}` : ""
    }`,
    ...paid.tables.map((t) =>
      `  ${t.name}: ${t.files.length} files, ${t.rows} rows`
    ),
  ];
  if (paid.leftovers.length > 0) {
    lines.push(`  removed ${paid.leftovers.length} staging leftovers`);
  }
  if (paid.unknown.length > 0) {
    lines.push(
      `  left owed, no dataset declares the table: ${
        paid.unknown.map((d) => `${d.table} ${d.partition}`).join(", ")
      }`,
    );
  }
  return lines.join("\n");
}

/**
 * Pays the lake's debt before a command's own work. A failure is logged,
 * not fatal: the debt stays recorded and the next command pays it.
 */
async function payDebtFirst(
  client: SqlClient,
  options: { config: RunConfig; logger: Logger },
): Promise<void> {
  try {
    await migrateToLatest(client);
    const paid = await payLakeDebt(client, {
      dataDir: options.config.dataDir,
      tables: lakeTables(DATASETS),
    });
    if (paid.owed > 0) options.logger.info(formatPayment(paid));
  } catch (err) {
    options.logger.warn(
      `lake debt not paid (it stays recorded; the next command retries): ${
        errorMessage(err)
      }`,
    );
  }
}

/** `snapshot`: pays the lake's debt and prints what it wrote. */
async function snapshotCommand(
  client: SqlClient,
  options: { config: RunConfig; json: boolean; logger: Logger },
): Promise<number> {
  await migrateToLatest(client);
  let paid: LakeDebtPayment;
  try {
    paid = await payLakeDebt(client, {
      dataDir: options.config.dataDir,
      tables: lakeTables(DATASETS),
    });
  } catch (err) {
    options.logger.error(`error: ${errorMessage(err)}`);
    return EXIT.failed;
  }
  console.error(formatPayment(paid));
  if (options.json) console.log(JSON.stringify(paid));
  return EXIT.ok;
}

/** `status`: prints the status report. */
async function statusCommand(
  client: SqlClient,
  options: { json: boolean; limit: number; clock: Clock },
): Promise<number> {
  await migrateToLatest(client);
  const report = await readStatus(client, {
    now: options.clock.now(),
    limit: options.limit,
  });
  console.log(
    options.json ? JSON.stringify(report, null, 2) : formatStatus(report),
  );
  return EXIT.ok;
}

/** `run`: one guarded run. */
async function runCommand(
  client: SqlClient,
  options: {
    source: Source;
    config: RunConfig;
    ops: OpsSettings;
    wait: boolean;
    json: boolean;
    clock: Clock;
    logger: Logger;
    progress: ReturnType<typeof progressFor>;
    alerter: ReturnType<typeof webhookAlerter>;
    secrets: readonly string[];
  },
): Promise<number> {
  const { config, ops, logger } = options;
  const outcome = await withSignals(logger, (signal) =>
    executeRun({
      pipeline: ops.pipeline,
      runId: ops.runId,
      dataDir: config.dataDir,
      snapshot: config.snapshot,
      incremental: config.incremental && { lagMs: config.lagMs },
      trigger: ops.trigger,
      attempt: ops.attempt,
      scheduledFor: ops.scheduledFor,
      wait: options.wait,
    }, {
      client,
      clock: options.clock,
      wallClock: systemClock,
      logger,
      source: () => options.source,
      signal,
      progress: options.progress,
      alerter: options.alerter,
      secrets: options.secrets,
    }));
  if (outcome.status === "locked") {
    logger.error(outcome.message);
    return EXIT.locked;
  }
  const summary = outcome.summary;
  if (summary) {
    if (ops.logFormat === "text") console.error(formatSummary(summary));
    else {
      logger.info(`run ${summary.status}`, {
        status: summary.status,
        counts: summary.counts,
        error: summary.error ?? undefined,
      });
    }
    if (options.json) console.log(JSON.stringify(summary));
  }
  if (outcome.status === "interrupted") {
    logger.warn("run interrupted: stopped at a safe point");
    return EXIT.interrupted;
  }
  return outcome.status === "succeeded" ? EXIT.ok : EXIT.failed;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
