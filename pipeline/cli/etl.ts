/**
 * The `deno task etl` program: its commands and the environment it reads.
 * @module
 */
import type { Program } from "@pipeline/cli/program.ts";
import { COMMON_FLAGS } from "@pipeline/cli/common_flags.ts";
import { COMMANDS } from "@pipeline/cli/commands/mod.ts";

/** `deno task etl`. */
export const ETL: Program = {
  invocation: "deno task etl",
  title: "Sluice ETL",
  commands: COMMANDS,
  defaultCommand: "run",
  common: COMMON_FLAGS,
  epilogue: `Environment (also read from a .env file; the environment wins):
  DATABASE_URL          Postgres server URL (same as --database-url)
  ALERT_WEBHOOK_URL     where alerts are POSTed as JSON (Slack-compatible);
                        unset: alerts are only logged
  ALPHAVANTAGE_API_KEY  key of the alphavantage source
  FINNHUB_API_KEY       key of the finnhub source
  ALPHAVANTAGE_BASE_URL, FINNHUB_BASE_URL, OPENMETEO_BASE_URL
                        base URLs of the HTTP sources (proxies, tests)`,
};
