/**
 * What every command of this process shares: the environment (with .env),
 * the secrets to redact, the clock, the progress bars and the logger.
 * @module
 */
import type { RunConfig } from "@pipeline/config.ts";
import { type Clock, fixedClock, systemClock } from "@pipeline/clock.ts";
import { type EnvMap, loadEnv } from "@pipeline/extract/http/env.ts";
import {
  createLogger,
  type LogFormat,
  type Logger,
  stderrWrite,
} from "@pipeline/ops/logging.ts";
import { secretsFromEnv } from "@pipeline/ops/secrets.ts";
import { progressFor } from "@pipeline/ops/progress.ts";

/** The process-wide plumbing of a command. */
export interface Runtime {
  /** The environment merged with `.env` (the environment wins). */
  env: EnvMap;
  /** Values never to print (API keys, the database password). */
  secrets: readonly string[];
  /** "Now" of the run: `--as-of`, else the machine's clock. */
  clock: Clock;
  logFormat: LogFormat;
  logger: Logger;
  progress: ReturnType<typeof progressFor>;
}

/**
 * The runtime of `config`, logging in `logFormat` to stderr; `json` (the
 * command prints JSON on stdout) turns the progress bars off.
 */
export function createRuntime(
  config: RunConfig,
  logFormat: LogFormat,
  options: { json?: boolean } = {},
): Runtime {
  const env = loadEnv();
  const secrets = secretsFromEnv({
    ...env,
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
  });
  const clock = config.asOf ? fixedClock(config.asOf) : systemClock;
  const progress = progressFor({
    isTerminal: Deno.stderr.isTerminal() && Deno.stdout.isTerminal() &&
      !options.json,
    format: logFormat,
  });
  const logger = createLogger({
    format: logFormat,
    secrets,
    write: (line) => progress.live ? progress.log(line) : stderrWrite(line),
  });
  return { env, secrets, clock, logFormat, logger, progress };
}
