/**
 * `deno task query` (also `deno task etl query`): SQL over the snapshot's
 * catalogue, read-only.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import type { Flag } from "@pipeline/cli/flag.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import {
  EXCHANGE_TIME_ZONE,
  isTimeZone,
  QUERY_FORMATS,
  type QueryFormat,
} from "@pipeline/query/options.ts";

/** `--format FORMAT`. */
const FORMAT_FLAG: Flag = {
  name: "format",
  value: "FORMAT",
  help:
    "how results print: an aligned table, csv, json (an array of objects) or parquet (needs --out)",
  key: "format",
  choices: QUERY_FORMATS,
  default: "table",
};

/** `--out FILE`. */
const OUT_FLAG: Flag = {
  name: "out",
  value: "FILE",
  help: "write the result (of the last statement) to FILE instead of stdout",
  key: "out",
};

/** `--tz ZONE`. */
const TZ_FLAG: Flag = {
  name: "tz",
  value: "ZONE",
  help:
    "time zone timestamps print in (and TIMESTAMPTZ values cast to dates in): an IANA name such as UTC",
  key: "tz",
  default: EXCHANGE_TIME_ZONE,
  parse(text) {
    if (!isTimeZone(text)) {
      throw new Error(
        `expected an IANA time zone (UTC, Europe/Paris), got ${
          JSON.stringify(text)
        }`,
      );
    }
    return text;
  },
};

const encoder = new TextEncoder();

/** Writes all of `text` to a file descriptor (a pipe may take part). */
function writeAll(file: { writeSync(p: Uint8Array): number }, text: string) {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

/** The `query` command. */
export const queryCommand: Command = {
  name: "query",
  summary:
    "SQL over the snapshot (DATA_DIR/analytics.duckdb), read-only: one query, SQL on stdin, or a prompt",
  usage:
    `deno task query ["SQL"] [--format table|csv|json|parquet] [--out FILE] [FLAGS]`,
  description:
    `Runs SQL against DATA_DIR/analytics.duckdb, opened read-only: the lake's
views (bars_1m, bars_5m, bars_1h, bars_1d, quarantine, weather_hourly, ...),
the warehouse's operations tables copied at each snapshot (etl_runs,
etl_run_stages, etl_checks, etl_loads, etl_watermarks, etl_lake_debt,
dim_symbol, ...) and the views latest_bars, daily_summary, etl_run_quarantine
and dim_symbol_current. With SQL as the argument it runs it and exits; with
no argument it reads SQL from stdin, or, on a terminal, opens a prompt
(statements end with ;, history in DATA_DIR/.query_history, .tables,
.schema [TABLE], .help, .quit). Timestamps print in --tz with their offset,
floats rounded in tables (exact in csv and json).`,
  positionals: [{ name: "SQL", help: "the statements to run" }],
  flags: [{ title: "Flags", flags: [FORMAT_FLAG, OUT_FLAG, TZ_FLAG] }],
  exit: [
    [0, "done"],
    [1, "a statement failed (DuckDB's message is printed)"],
    [2, "bad usage, or no analytics.duckdb in DATA_DIR"],
  ],
  async run({ config, options, positionals }) {
    const { runQuery } = await import("@pipeline/query/run_query.ts");
    const status = await runQuery({
      dataDir: config.dataDir,
      sql: positionals[0],
      format: options.format as QueryFormat,
      out: options.out as string | undefined,
      timeZone: options.tz as string,
      write: (text) => writeAll(Deno.stdout, text),
      warn: (text) => writeAll(Deno.stderr, text),
      stdinIsTerminal: Deno.stdin.isTerminal(),
      readStdin: () => new Response(Deno.stdin.readable).text(),
    });
    return status === 0 ? EXIT.ok : status === 1 ? EXIT.failed : EXIT.usage;
  },
};
