/**
 * Retrying a failed scheduled run: exponential backoff with jitter and a
 * cap, up to a configured number of retries.
 * @module
 */
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";

/** How a failed scheduled run is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (0: never retry). */
  retries: number;
  /** Delay ceiling after the first failure, in ms. */
  baseMs: number;
  /** No delay exceeds this, in ms. */
  maxMs: number;
}

/** Options of {@link retryDelayMs}. */
export interface RetryDelayOptions {
  /** The attempt that just failed, from 1. */
  attempt: number;
  baseMs: number;
  maxMs: number;
  /** Uniform random number in [0, 1). */
  random: () => number;
}

/**
 * "Equal jitter" backoff: with `c = min(maxMs, baseMs * 2^(attempt-1))`, a
 * wait uniform in `[c/2, c)`. Unlike full jitter it never retries at once,
 * which suits whole runs (a crash that repeats at once wastes a run), yet
 * spreads retries of many pipelines apart.
 *
 * @example
 * ```ts
 * import { retryDelayMs } from "@pipeline/ops/retry.ts";
 * retryDelayMs({ attempt: 3, baseMs: 1000, maxMs: 60_000, random: () => 0 }); // 2000
 * ```
 */
export function retryDelayMs(options: RetryDelayOptions): number {
  const { attempt, baseMs, maxMs, random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + r * ceiling / 2);
}

/** What one attempt reports to {@link withRetries}. */
export interface AttemptResult {
  /** `failed` may be retried; anything else ends the attempts. */
  retry: boolean;
}

/** Options of {@link withRetries}. */
export interface WithRetriesOptions<T extends AttemptResult> {
  policy: RetryPolicy;
  /** Runs attempt `n` (from 1). */
  attempt: (n: number) => Promise<T>;
  /** Told before each wait. */
  onRetry?: (info: { attempt: number; delayMs: number; result: T }) => void;
  /** Stops retrying (no further attempt starts once it aborted). */
  signal?: AbortSignal | undefined;
  /** Default `Math.random`. */
  random?: () => number;
  /** Default a real timer. */
  sleep?: Sleep;
}

/**
 * Runs `attempt(1)`, and while its result asks for a retry and retries
 * remain, waits {@link retryDelayMs} and runs the next attempt. Returns the
 * last result and the number of attempts made. An abort during a wait ends
 * the loop with the last result.
 */
export async function withRetries<T extends AttemptResult>(
  options: WithRetriesOptions<T>,
): Promise<{ result: T; attempts: number }> {
  const {
    policy,
    attempt,
    onRetry,
    signal,
    random = Math.random,
    sleep = realSleep,
  } = options;
  let n = 1;
  let result = await attempt(n);
  while (result.retry && n <= policy.retries && !signal?.aborted) {
    const delayMs = retryDelayMs({
      attempt: n,
      baseMs: policy.baseMs,
      maxMs: policy.maxMs,
      random,
    });
    onRetry?.({ attempt: n, delayMs, result });
    try {
      await sleep(delayMs, signal);
    } catch {
      break;
    }
    n++;
    result = await attempt(n);
  }
  return { result, attempts: n };
}
