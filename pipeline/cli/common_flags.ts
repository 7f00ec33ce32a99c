/**
 * The flags every command takes: where the data lives, which database, the
 * log format and help.
 * @module
 */
import type { Flag, FlagGroup } from "@pipeline/cli/flag.ts";
import { LOG_FORMATS } from "@pipeline/ops/logging.ts";

/** `--data-dir DIR`: also passed on to scheduled child runs. */
export const DATA_DIR_FLAG: Flag = {
  name: "data-dir",
  value: "DIR",
  help:
    "where PGlite (DIR/pglite), the Parquet lake (DIR/lake) and DIR/analytics.duckdb live",
  into: "config",
  key: "dataDir",
  shownDefault: "./data",
};

/** `--database-url URL`: a secret, never passed on in arguments. */
export const DATABASE_URL_FLAG: Flag = {
  name: "database-url",
  value: "URL",
  help: "load a Postgres server instead of embedded PGlite",
  into: "config",
  key: "databaseUrl",
  env: "DATABASE_URL",
  shownDefault: "the DATABASE_URL environment variable",
  secret: true,
};

/** `--log-format FORMAT`. */
export const LOG_FORMAT_FLAG: Flag = {
  name: "log-format",
  value: "FORMAT",
  help:
    "readable lines, or one JSON object per line; every line of a run carries its run id",
  key: "logFormat",
  choices: LOG_FORMATS,
  default: "text",
};

/** `-h, --help`. */
export const HELP_FLAG: Flag = {
  name: "help",
  short: "h",
  help: "show this help",
  key: "help",
};

/** The flags of every command, shown last in each command's help. */
export const COMMON_FLAGS: FlagGroup = {
  title: "Common flags",
  flags: [DATA_DIR_FLAG, DATABASE_URL_FLAG, LOG_FORMAT_FLAG, HELP_FLAG],
};
