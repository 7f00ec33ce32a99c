/**
 * What an HTTP source factory takes besides its configuration, and the
 * configuration helpers the factories share.
 * @module
 */
import type { z } from "zod";
import type { Clock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import type { HttpEvent } from "@pipeline/extract/http/client.ts";
import type { EnvMap } from "@pipeline/extract/http/env.ts";
import type { RawLanding } from "@pipeline/extract/http/raw_landing.ts";
import type { Sleep } from "@pipeline/extract/http/sleep.ts";
import type { RateLimiter } from "@pipeline/extract/http/token_bucket.ts";

/** The collaborators of an HTTP source. */
export interface HttpSourceDeps {
  /** "Now" for raw-landing dates, `fetched_at` and `Retry-After` dates. */
  clock: Clock;
  /** The fetch to use; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** How to wait (backoff, rate limit); default a real timer. */
  sleep?: Sleep | undefined;
  /** Uniform random in [0, 1) for jitter; default `Math.random`. */
  random?: (() => number) | undefined;
  /** Where to land raw bodies; default nowhere. */
  rawLanding?: RawLanding | undefined;
  /** Replaces the process environment (keys, base URLs); default `Deno.env`. */
  env?: EnvMap | undefined;
  /** The `.env` file read under the environment, `false` for none; default `".env"`. */
  dotenv?: string | false | undefined;
  /** Replaces the source's own token bucket (e.g. one shared across runs). */
  limiter?: RateLimiter | undefined;
  /** Called on every retry; never sees a secret. */
  log?: ((event: HttpEvent) => void) | undefined;
}

/**
 * `input` parsed by `schema`, or an `EtlError` (stage `config`) listing every
 * problem as `path: message`.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) =>
    `${i.path.length ? i.path.join(".") : "(config)"}: ${i.message}`
  ).join("; ");
  throw new EtlError(`${source}: invalid configuration: ${problems}`, {
    stage: "config",
  });
}

/** Options of {@link requireApiKey}. */
export interface RequireApiKeyOptions {
  /** The source, for the message. */
  source: string;
  /** The variable holding the key (`ALPHAVANTAGE_API_KEY`). */
  variable: string;
  /** A key given directly in the configuration, which wins. */
  given?: string | undefined;
  /** The environment merged over `.env`. */
  env: EnvMap;
}

/**
 * The API key: `given`, else the variable from the environment or `.env`.
 * Throws an `EtlError` (stage `config`) naming the variable if there is none.
 */
export function requireApiKey(options: RequireApiKeyOptions): string {
  const { source, variable, given, env } = options;
  const key = given?.trim() || env[variable]?.trim();
  if (!key) {
    throw new EtlError(
      `${source}: no API key: set ${variable} in the environment or in .env`,
      { stage: "config" },
    );
  }
  return key;
}
