/**
 * The run-configuration flags: what one run extracts and loads. `run`,
 * `schedule` (for the runs it starts) and `backfill` take them; a scheduler
 * passes the ones given on to its child runs.
 * @module
 */
import type { Flag, FlagGroup } from "@pipeline/cli/flag.ts";
import {
  duration,
  fieldMap,
  list,
  number,
  symbolList,
} from "@pipeline/cli/values.ts";
import { TS_UNITS } from "@pipeline/extract/record_file.ts";
import { parseLocation, SOURCE_NAMES } from "@pipeline/config.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";
import { KIND_ALIASES } from "@pipeline/datasets/kind_alias.ts";
import { PipelineNameSchema } from "@pipeline/ops/pipeline_name.ts";

const delivers = SOURCE_NAMES.map((s) =>
  `${s}: ${(SOURCE_DATASETS[s] ?? []).join(" | ")}`
).join("; ");

/** `--dataset NAME`: what the run loads. */
export const DATASET_FLAG: Flag = {
  name: "dataset",
  value: "NAME",
  help:
    `the dataset the run loads: the source's own (listed first) or another it delivers (${delivers}); symbols is reference data (name, exchange, currency, sector) for the SCD2 dimension dim_symbol`,
  into: "config",
  key: "dataset",
  choices: Object.keys(DATASETS),
  shownDefault: "the source's own",
};

/**
 * `--kind bars|symbols`: the deprecated spelling of `--dataset` (`bars`
 * meant the source's own dataset, weather for openmeteo). Kept for one
 * release so scheduled jobs keep working.
 */
export const KIND_FLAG: Flag = {
  name: "kind",
  value: "KIND",
  help:
    "deprecated, use --dataset (bars: the source's own dataset, weather for openmeteo)",
  into: "config",
  key: "dataset",
  choices: Object.keys(KIND_ALIASES),
  parse: (text) => KIND_ALIASES[text],
  deprecatedFor: "dataset",
};

/** The flags of the run configuration, in the order help lists them. */
export const RUN_CONFIG_FLAGS: FlagGroup = {
  title: "Run flags",
  flags: [
    {
      name: "source",
      value: "NAME",
      help:
        "where the data comes from (an operational database's tables: --source mysql or postgres, see deno task etl --source mysql --help)",
      into: "config",
      key: "source",
      choices: SOURCE_NAMES,
      shownDefault: "synthetic",
    },
    DATASET_FLAG,
    KIND_FLAG,
    {
      name: "input",
      value: "PATH",
      help:
        "input file of --source file: .csv, .json (array of objects) or .parquet with columns symbol, ts, open, high, low, close, volume (ts ISO-8601 with offset, or an epoch number read by its digits as seconds (≤ 10), milliseconds (11–13), microseconds (14–16) or nanoseconds (17–19), value by value); with --dataset symbols: symbol, name, exchange, currency, sector (a full reference)",
      into: "config",
      key: "input",
    },
    {
      name: "map",
      value: "F=COL,...",
      help:
        "with --source file: the file's column for a field, e.g. ts=date,close=adjclose (fields not named match a column of their name, case-insensitively; symbol also matches ticker, ts timestamp, datetime, date or time)",
      into: "config",
      key: "map",
      parse: fieldMap,
    },
    {
      name: "symbol",
      value: "SYMBOL",
      help:
        "with --source file: the symbol of every record, for a single-symbol file without a symbol column",
      into: "config",
      key: "symbol",
      parse: (text) => text.trim().toUpperCase(),
    },
    {
      name: "ts-unit",
      value: "UNIT",
      help:
        "with --source file: the unit of epoch-number timestamps (s, ms, us, ns)",
      into: "config",
      key: "tsUnit",
      choices: TS_UNITS,
      shownDefault: "by magnitude, value by value",
    },
    {
      name: "symbols",
      value: "A,B,...",
      help: "symbols of the synthetic, alphavantage and finnhub sources",
      into: "config",
      key: "symbols",
      parse: symbolList,
      shownDefault: "10 tickers",
    },
    {
      name: "sessions",
      value: "N",
      help: "trading sessions of the synthetic source",
      into: "config",
      key: "sessions",
      parse: number,
      shownDefault: "5",
    },
    {
      name: "seed",
      value: "N",
      help: "seed of the synthetic source",
      into: "config",
      key: "seed",
      parse: number,
      shownDefault: "42",
    },
    {
      name: "defect-rate",
      value: "R",
      help: "share of defective synthetic records, 0..1",
      into: "config",
      key: "defectRate",
      parse: number,
      shownDefault: "0.005",
    },
    {
      name: "start",
      value: "TIME",
      help:
        "window start (included) of the HTTP sources and the synthetic source, UTC",
      into: "config",
      key: "start",
    },
    {
      name: "end",
      value: "TIME",
      help: "window end (excluded)",
      into: "config",
      key: "end",
      shownDefault:
        "the last 7 days up to the end of today; alphavantage: this month",
    },
    {
      name: "month",
      value: "YYYY-MM",
      help:
        "a calendar month as the window (alphavantage: its US/Eastern month, one request per symbol)",
      into: "config",
      key: "month",
    },
    {
      name: "locations",
      value: "L,...",
      help: "openmeteo locations as name:latitude:longitude",
      into: "config",
      key: "locations",
      parse: list(parseLocation),
      shownDefault: "new-york, seattle, london",
    },
    {
      name: "endpoint",
      value: "NAME",
      help: "the openmeteo endpoint: recent days or history",
      into: "config",
      key: "endpoint",
      choices: ["forecast", "archive"],
      shownDefault: "forecast",
    },
    {
      name: "from-raw",
      help:
        "rebuild from responses landed under DATA_DIR/raw/ instead of calling the API",
      into: "config",
      key: "fromRaw",
    },
    {
      name: "raw-date",
      value: "DATE",
      help: "with --from-raw: only responses landed that UTC day",
      into: "config",
      key: "rawDate",
    },
    {
      name: "no-raw-landing",
      help: "do not land HTTP responses under DATA_DIR/raw/",
      into: "config",
      key: "rawLanding",
      set: false,
    },
    {
      name: "as-of",
      value: "TIME",
      help: "run as if now were TIME (ISO-8601)",
      into: "config",
      key: "asOf",
      shownDefault: "now",
    },
    {
      name: "no-snapshot",
      help: "skip the Parquet/DuckDB snapshot",
      into: "config",
      key: "snapshot",
      set: false,
    },
    {
      name: "lag",
      value: "DURATION",
      help:
        "incremental lookback below each partition's watermark (e.g. 30m, 2h): late and corrected records in it are merged again",
      into: "config",
      key: "lagMs",
      parse: duration,
      shownDefault: "30m",
    },
    {
      name: "no-incremental",
      help: "ignore the watermarks: extract the whole window",
      into: "config",
      key: "incremental",
      set: false,
    },
  ],
};

/**
 * `--dry-run` of `run`: extract and validate, print how the records parse
 * (first rows, column types, quarantine reasons, counts), load nothing and
 * open no database. Not in {@link RUN_CONFIG_FLAGS}: `backfill` has a
 * `--dry-run` of its own.
 */
export const DRY_RUN_FLAG: Flag = {
  name: "dry-run",
  help:
    "show how the source's records parse (first rows, column types, the quarantine reasons a load would give, counts); load nothing, open no database",
  into: "config",
  key: "dryRun",
};

/** `--pipeline NAME`: the unit of locking, scheduling and history. */
export const PIPELINE_FLAG: Flag = {
  name: "pipeline",
  value: "NAME",
  help: "the pipeline's name: its lock, schedule and history",
  key: "pipeline",
  parse: (text) => {
    const parsed = PipelineNameSchema.safeParse(text);
    if (!parsed.success) {
      throw new Error(`${parsed.error.issues[0]?.message}, got "${text}"`);
    }
    return parsed.data;
  },
  shownDefault:
    "the source name; <source>-<dataset> for a dataset not its own, e.g. file-symbols",
};

/** `--wait`: queue behind a run of the same pipeline instead of exit 3. */
export const WAIT_FLAG: Flag = {
  name: "wait",
  help:
    "wait for a run of the same pipeline in progress instead of exiting with status 3",
  key: "wait",
  default: false,
};
