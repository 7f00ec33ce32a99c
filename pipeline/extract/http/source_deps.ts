/**
 * What an HTTP source factory takes besides its configuration, and the
 * configuration helpers the factories share.
 * @module
 */
import { z } from "zod";
import type { Clock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  type HttpClient,
  httpClient,
  type HttpClientOptions,
  type HttpEvent,
} from "@pipeline/extract/http/client.ts";
import { isHttpUrl } from "@pipeline/extract/http/endpoint.ts";
import type { EnvMap } from "@pipeline/extract/http/env.ts";
import type { RawLanding } from "@pipeline/extract/http/raw_landing.ts";
import type { Sleep } from "@pipeline/extract/http/sleep.ts";
import {
  type RateLimiter,
  tokenBucket,
} from "@pipeline/extract/http/token_bucket.ts";

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

/** Options of {@link sourceClient}. */
export interface SourceClientOptions {
  /** The source name, for errors and events. */
  source: string;
  /** The provider's published rate, for the default token bucket. */
  requestsPerMinute: number;
  /** Requests allowed back to back, for the default token bucket. */
  burst: number;
  /** Retry settings over the defaults. */
  retry: HttpClientOptions["retry"];
  /** Secrets (API keys) to remove from anything that leaves. */
  secrets?: readonly string[];
}

/**
 * The HTTP client of a source: `deps`' fetch, sleep, randomness and log, and
 * `deps.limiter` or else a token bucket at the provider's published rate.
 */
export function sourceClient(
  options: SourceClientOptions,
  deps: HttpSourceDeps,
): HttpClient {
  const { source, requestsPerMinute, burst, retry, secrets = [] } = options;
  return httpClient({
    source,
    clock: deps.clock,
    fetch: deps.fetch,
    sleep: deps.sleep,
    random: deps.random,
    limiter: deps.limiter ?? tokenBucket({
      requestsPerMinute,
      burst,
      clock: deps.clock,
      sleep: deps.sleep,
    }),
    retry,
    secrets,
    log: deps.log,
  });
}

/**
 * The base URL of a source: the configured one, else the environment
 * variable `variable`, else `fallback`; an `EtlError` (stage `config`) naming
 * the variable when it is not an http(s) URL.
 */
export function sourceBaseUrl(options: {
  source: string;
  variable: string;
  configured: string | undefined;
  env: EnvMap;
  fallback: string;
}): string {
  const { source, variable, configured, env, fallback } = options;
  return parseConfig(
    z.string().refine(isHttpUrl, `${variable} must be an http(s) URL`),
    configured ?? env[variable] ?? fallback,
    source,
  );
}
