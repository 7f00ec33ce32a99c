/**
 * The `deno task etl` command line. Plumbing only: parses flags, validates
 * the configuration once, opens the database and hands everything to the
 * run loop.
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
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { fixedClock, systemClock } from "@pipeline/clock.ts";
import { formatSummary } from "@pipeline/summary.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const COMMON_HELP = `
  --data-dir DIR        where PGlite (DIR/pglite), the Parquet lake (DIR/lake)
                        and DIR/analytics.duckdb live (default ./data)
  --database-url URL    load a Postgres server instead of embedded PGlite
                        (default: the DATABASE_URL environment variable)
  -h, --help            show this help`;

const HELP: Record<string, string> = {
  main: `Sluice ETL

Usage: deno task etl [COMMAND] [FLAGS]

Commands:
  run       one run of the pipeline (the default command)
  migrate   apply the database migrations and exit
  help      show help for a command: deno task etl help run

Run 'deno task etl COMMAND --help' for the flags of a command.

Environment (also read from a .env file; the environment wins):
  DATABASE_URL          Postgres server URL (same as --database-url)
  ALPHAVANTAGE_API_KEY  key of the alphavantage source
  FINNHUB_API_KEY       key of the finnhub source
  ALPHAVANTAGE_BASE_URL, FINNHUB_BASE_URL, OPENMETEO_BASE_URL
                        base URLs of the HTTP sources (proxies, tests)
`,
  run: `deno task etl [run] [FLAGS]

One run: extract -> validate -> transform -> load -> snapshot, then a summary
table on stderr (and with --json, one JSON object on stdout).

Flags:
  --source NAME         ${SOURCE_NAMES.join(" | ")} (default synthetic)
  --input PATH          input file of --source file: .csv, .json (array of
                        objects) or .parquet with columns symbol, ts, open,
                        high, low, close, volume (ts ISO-8601 with offset, or
                        epoch milliseconds)
  --symbols A,B,...     symbols of the synthetic, alphavantage and finnhub
                        sources (default: 10 tickers)
  --sessions N          trading sessions of the synthetic source (default 5)
  --seed N              seed of the synthetic source (default 42)
  --defect-rate R       share of defective synthetic records, 0..1
                        (default 0.005)
  --start TIME          window start (included) of the HTTP sources, UTC
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
  --json                print the run summary as JSON on stdout${COMMON_HELP}

Exit status: 0 succeeded, 1 the run failed (summary says why), 2 bad usage.
`,
  migrate: `deno task etl migrate [FLAGS]

Applies the pending schema migrations (runs also apply them automatically).

Flags:${COMMON_HELP}
`,
};

/** Parses argv into a command and a raw (unvalidated) configuration. */
export function parseCli(argv: string[]): {
  command: string;
  help: boolean;
  json: boolean;
  config: Record<string, unknown>;
} {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      source: { type: "string" },
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
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      "no-snapshot": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  let command = positionals[0] ?? "run";
  let help = values.help ?? false;
  if (positionals.length === 0 && help) command = "main";
  if (command === "help") {
    command = positionals[1] ?? "main";
    help = true;
  }
  if (positionals.length > (command === "main" ? 2 : 1) && !help) {
    throw new ConfigError(`unexpected argument: ${positionals[1]}`);
  }
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) {
      throw new ConfigError(`--${flag}: expected a number, got "${v}"`);
    }
    return n;
  };
  const config: Record<string, unknown> = {
    source: values.source,
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
  };
  for (const k of Object.keys(config)) {
    if (config[k] === undefined) delete config[k];
  }
  return { command, help, json: values.json ?? false, config };
}

async function openDatabase(config: RunConfig): Promise<SqlClient> {
  return await connect(
    config.databaseUrl
      ? { kind: "postgres", url: config.databaseUrl }
      : { kind: "pglite", dataDir: join(config.dataDir, "pglite") },
  );
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let cli;
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
  try {
    config = parseRunConfig(cli.config);
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    return EXIT.usage;
  }
  const clock = config.asOf ? fixedClock(config.asOf) : systemClock;
  let source: Source | undefined;
  if (cli.command === "run") {
    try {
      source = await sourceFor(config, {
        clock,
        http: {
          log: (e) =>
            console.error(
              `extract: ${e.source} ${e.partition}: attempt ${e.attempt} failed (${e.reason}); retrying in ${
                (e.waitMs / 1000).toFixed(1)
              } s`,
            ),
        },
      });
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return err instanceof EtlError && err.stage === "config"
        ? EXIT.usage
        : EXIT.failed;
    }
  }
  let client: SqlClient;
  try {
    client = await openDatabase(config);
  } catch (err) {
    const where = config.databaseUrl
      ? redactUrl(config.databaseUrl)
      : join(config.dataDir, "pglite");
    console.error(
      `error: cannot open the database ${where}: ${errorMessage(err)}`,
    );
    return EXIT.failed;
  }
  try {
    if (cli.command === "migrate") {
      const { applied } = await migrateToLatest(client);
      console.error(
        applied.length
          ? `applied ${applied.length} migrations: ${applied.join(", ")}`
          : "schema is up to date",
      );
      return EXIT.ok;
    }
    const summary = await runPipeline(
      source!,
      { dataDir: config.dataDir, snapshot: config.snapshot },
      { client, clock, log: (line) => console.error(line) },
    );
    console.error(formatSummary(summary));
    if (cli.json) console.log(JSON.stringify(summary));
    return summary.status === "succeeded" ? EXIT.ok : EXIT.failed;
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    return EXIT.failed;
  } finally {
    await client.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
