/**
 * The HTTP client every source shares: one GET with a per-request timeout,
 * a rate limiter, bounded retries with full-jitter backoff and `Retry-After`,
 * raw landing of each 2xx body before it is parsed, and typed errors with
 * secrets removed.
 * @module
 */
import type { Clock } from "@pipeline/clock.ts";
import {
  backoffDelay,
  parseRetryAfter,
} from "@pipeline/extract/http/backoff.ts";
import {
  ExtractError,
  type ProblemKind,
  ResponseProblem,
} from "@pipeline/extract/http/extract_error.ts";
import {
  REDACTED,
  redactError,
  redactText,
  redactUrl,
} from "@pipeline/extract/http/redact.ts";
import {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from "@pipeline/extract/http/retry_policy.ts";
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";
import type { RateLimiter } from "@pipeline/extract/http/token_bucket.ts";

/** One complete 2xx response. */
export interface FetchedBody {
  /** The request URL, secrets removed. */
  url: string;
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The body exactly as received. */
  bytes: Uint8Array;
  /** The body decoded as UTF-8. */
  text: string;
  /** When the response was complete, from the client's clock. */
  fetchedAt: Date;
  /** Which attempt this was, from 1. */
  attempt: number;
}

/** Something worth logging; never holds a secret. */
export interface HttpEvent {
  /** `retry`: an attempt failed and another follows after `waitMs`. */
  type: "retry";
  /** The source. */
  source: string;
  /** The partition. */
  partition: string;
  /** The request URL, secrets removed. */
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  waitMs: number;
  /** What kind of failure it was. */
  kind: ProblemKind;
  /** Why the attempt failed, secrets removed. */
  reason: string;
}

/** Options of {@link httpClient}. */
export interface HttpClientOptions {
  /** The source name used in errors and events. */
  source: string;
  /** Where `fetchedAt` and "now" for HTTP dates come from. */
  clock: Clock;
  /** The fetch to use; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** How to wait between attempts; default a real timer. */
  sleep?: Sleep | undefined;
  /** Uniform random in [0, 1) for jitter; default `Math.random`. */
  random?: (() => number) | undefined;
  /** Takes a token before every request, retries included; default none. */
  limiter?: RateLimiter | undefined;
  /** Attempts, backoff and timeout; default {@link DEFAULT_RETRY_POLICY}. */
  retry?: { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined } | undefined;
  /** Secret values (API keys) to remove from any text that leaves. */
  secrets?: readonly string[] | undefined;
  /** Called on every retry; default nothing. */
  log?: ((event: HttpEvent) => void) | undefined;
}

/** Options of {@link HttpClient.get}. */
export interface GetOptions<T> {
  /** The partition name used in errors and events. */
  partition: string;
  /**
   * Turns a 2xx body into the result. Throws a {@link ResponseProblem} for a
   * body that is an error (retried if `retry`); anything else it throws is a
   * terminal schema error.
   */
  interpret: (body: FetchedBody) => T;
  /** Stores each 2xx body before `interpret` sees it; default nothing. */
  land?: ((body: FetchedBody) => Promise<void>) | undefined;
  /** Aborts waiting and the request in flight. */
  signal?: AbortSignal | undefined;
}

/** GETs JSON with retries; see {@link httpClient}. */
export interface HttpClient {
  /** The source name. */
  readonly source: string;
  /**
   * GETs `url` until `interpret` accepts a 2xx body or attempts run out.
   * Throws an {@link ExtractError}.
   */
  get<T>(url: URL, options: GetOptions<T>): Promise<T>;
  /**
   * `text` with each secret value (not patterns) replaced by `***`; returns
   * `text` itself when it holds none. Used to keep keys that a provider
   * echoes in a body (Alpha Vantage's rate-limit messages quote the key) out
   * of raw landing.
   */
  redactSecrets(text: string): string;
}

/** Statuses worth retrying: timeout, too many requests, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Options of {@link bodyExcerpt}. */
export interface BodyExcerptOptions {
  /** Secret values to remove; default none (secret query params still go). */
  secrets?: readonly string[] | undefined;
  /** Characters kept; default 200. */
  length?: number | undefined;
}

/** The start of `text`, whitespace folded, secrets removed, at most `length` characters. */
export function bodyExcerpt(
  text: string,
  options: BodyExcerptOptions = {},
): string {
  const { secrets = [], length = 200 } = options;
  const window = text.slice(0, length + 512).replace(/\s+/g, " ").trim();
  const clean = redactText(window, secrets);
  return clean.length > length ? `${clean.slice(0, length)}…` : clean;
}

/** A failed attempt, before deciding whether to retry. */
interface Failure {
  kind: ProblemKind;
  message: string;
  transient: boolean;
  retry: boolean;
  status?: number | undefined;
  excerpt?: string | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * An {@link HttpClient} for one source. Network errors, timeouts, 408, 429
 * and 5xx are retried up to `maxAttempts` with full-jitter exponential
 * backoff capped at `maxDelayMs`; a valid `Retry-After` is waited for
 * instead (a longer one than `maxDelayMs` gives up rather than retry early);
 * other statuses fail at once. Every 2xx body goes to `land` before
 * `interpret`.
 *
 * @example
 * ```ts
 * import { httpClient } from "@pipeline/extract/http/client.ts";
 * import { systemClock } from "@pipeline/clock.ts";
 * const client = httpClient({ source: "openmeteo", clock: systemClock });
 * const json = await client.get(new URL("https://api.open-meteo.com/v1/forecast?latitude=52.5&longitude=13.4&hourly=temperature_2m"), {
 *   partition: "berlin", interpret: (b) => JSON.parse(b.text),
 * });
 * ```
 */
export function httpClient(options: HttpClientOptions): HttpClient {
  const {
    source,
    clock,
    fetch: fetchFn = globalThis.fetch,
    sleep = realSleep,
    random = Math.random,
    limiter,
    secrets = [],
    log,
  } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [k, v] of Object.entries(options.retry ?? {})) {
    if (v !== undefined) policy[k as keyof RetryPolicy] = v;
  }

  async function get<T>(url: URL, opts: GetOptions<T>): Promise<T> {
    const { partition, interpret, land, signal } = opts;
    const safeUrl = redactUrl(url);
    const fail = (f: Failure, attempts: number) =>
      new ExtractError(f.message, {
        source,
        partition,
        kind: f.kind,
        url: safeUrl,
        status: f.status,
        bodyExcerpt: f.excerpt,
        attempts,
        transient: f.transient,
        cause: f.cause === undefined
          ? undefined
          : redactError(f.cause, secrets),
      });
    const aborted = (attempts: number) =>
      fail({
        kind: "aborted",
        message: "aborted by the caller",
        transient: false,
        retry: false,
        cause: signal?.reason,
      }, attempts);

    for (let attempt = 1;; attempt++) {
      try {
        await limiter?.acquire(signal);
      } catch (err) {
        if (signal?.aborted) throw aborted(attempt - 1);
        throw err;
      }
      const outcome = await attemptOnce(url, attempt, signal);
      if ("kind" in outcome && outcome.kind === "aborted") {
        throw aborted(attempt);
      }
      let failure: Failure;
      if ("body" in outcome) {
        const body = outcome.body;
        if (land) {
          try {
            await land(body);
          } catch (err) {
            throw fail({
              kind: "landing",
              message: `cannot store the raw body: ${
                err instanceof Error ? err.message : String(err)
              }`,
              transient: false,
              retry: false,
              status: body.status,
              cause: err,
            }, attempt);
          }
        }
        try {
          return interpret(body);
        } catch (err) {
          failure = err instanceof ResponseProblem
            ? {
              kind: err.kind,
              message: err.message,
              transient: err.transient,
              retry: err.retry,
              status: body.status,
              excerpt: bodyExcerpt(body.text, { secrets }),
              cause: err.cause,
            }
            : {
              kind: "schema",
              message: `cannot parse the response: ${
                err instanceof Error ? err.message : String(err)
              }`,
              transient: false,
              retry: false,
              status: body.status,
              excerpt: bodyExcerpt(body.text, { secrets }),
              cause: err,
            };
          failure.retryAfterMs = parseRetryAfter(
            body.headers.get("retry-after"),
            clock.now(),
          );
        }
      } else {
        failure = outcome;
      }
      failure.message = redactText(failure.message, secrets);
      if (!failure.retry) throw fail(failure, attempt);
      if (attempt >= policy.maxAttempts) {
        throw fail({
          ...failure,
          message: `gave up: ${failure.message}`,
        }, attempt);
      }
      let waitMs: number;
      if (failure.retryAfterMs !== undefined) {
        if (failure.retryAfterMs > policy.maxDelayMs) {
          throw fail({
            ...failure,
            message: `gave up: ${failure.message}; the server asked to wait ${
              Math.ceil(failure.retryAfterMs / 1000)
            } s (Retry-After), more than the ${
              Math.ceil(policy.maxDelayMs / 1000)
            } s cap`,
          }, attempt);
        }
        waitMs = failure.retryAfterMs;
      } else {
        waitMs = backoffDelay({
          attempt,
          baseDelayMs: policy.baseDelayMs,
          maxDelayMs: policy.maxDelayMs,
          random,
        });
      }
      log?.({
        type: "retry",
        source,
        partition,
        url: safeUrl,
        attempt,
        waitMs,
        kind: failure.kind,
        reason: failure.message,
      });
      try {
        await sleep(waitMs, signal);
      } catch (err) {
        if (signal?.aborted) throw aborted(attempt);
        throw err;
      }
    }
  }

  type Outcome = { body: FetchedBody } | Failure;

  async function attemptOnce(
    url: URL,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    if (signal?.aborted) {
      return { kind: "aborted", message: "", transient: false, retry: false };
    }
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(
          new DOMException(
            `no response within ${policy.timeoutMs} ms`,
            "TimeoutError",
          ),
        ),
      policy.timeoutMs,
    );
    const combined = signal
      ? AbortSignal.any([signal, timeout.signal])
      : timeout.signal;
    try {
      const res = await fetchFn(url, {
        signal: combined,
        headers: { accept: "application/json" },
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      if (res.status >= 200 && res.status <= 299) {
        return {
          body: {
            url: redactUrl(url),
            status: res.status,
            headers: res.headers,
            bytes,
            text,
            fetchedAt: clock.now(),
            attempt,
          },
        };
      }
      const retryable = isRetryableStatus(res.status);
      return {
        kind: "status",
        message: `HTTP ${res.status}${
          res.statusText ? ` ${res.statusText}` : ""
        }`,
        transient: retryable,
        retry: retryable,
        status: res.status,
        excerpt: bodyExcerpt(text, { secrets }),
        retryAfterMs: parseRetryAfter(
          res.headers.get("retry-after"),
          clock.now(),
        ),
      };
    } catch (err) {
      if (signal?.aborted) {
        return { kind: "aborted", message: "", transient: false, retry: false };
      }
      if (timeout.signal.aborted) {
        return {
          kind: "timeout",
          message:
            `timed out: no complete response within ${policy.timeoutMs} ms`,
          transient: true,
          retry: true,
        };
      }
      if (unresolvedHost(err)) {
        // Offline or a wrong name: retrying within seconds will not help
        // (a later run may), and six identical failures say nothing more.
        return {
          kind: "network",
          message:
            `cannot resolve host ${url.hostname} (offline, or a wrong host name)`,
          transient: true,
          retry: false,
          cause: err,
        };
      }
      return {
        kind: "network",
        message: `network error: ${
          err instanceof Error ? describeNetworkError(err) : String(err)
        }`,
        transient: true,
        retry: true,
        cause: err,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  const redactSecrets = (text: string) =>
    secrets.some((k) => k.length >= 4 && text.includes(k))
      ? secrets.reduce(
        (t, k) => (k.length >= 4 ? t.split(k).join(REDACTED) : t),
        text,
      )
      : text;

  return { source, get, redactSecrets };
}

/** Whether a fetch failed because its host name could not be resolved. */
export function unresolvedHost(err: unknown): boolean {
  const texts: string[] = [];
  for (let e = err, depth = 0; e && depth < 4; depth++) {
    if (e instanceof Error) {
      texts.push(e.message, String((e as { code?: unknown }).code ?? ""));
      e = e.cause;
    } else {
      texts.push(String(e));
      break;
    }
  }
  return /dns error|failed to lookup address|name or service not known|nodename nor servname|ENOTFOUND|EAI_AGAIN|temporary failure in name resolution|no address associated/i
    .test(texts.join(" "));
}

/** `fetch failed: connection closed before message completed`, not just `fetch failed`. */
function describeNetworkError(err: Error): string {
  const inner = err.cause instanceof Error ? err.cause.message : "";
  const tail = inner.split(": ").slice(-1)[0] ?? "";
  return tail && tail !== err.message ? `${err.message}: ${tail}` : err.message;
}
