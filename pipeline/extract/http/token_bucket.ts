/**
 * A token-bucket rate limiter, one per source, so requests stay within the
 * provider's published limits however many partitions run at once.
 * @module
 */
import type { Clock } from "@pipeline/clock.ts";
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";

/** A rate limit: a sustained rate and how many requests may go at once. */
export interface RateLimit {
  /** Sustained requests per minute. */
  requestsPerMinute: number;
  /** Bucket size: requests allowed back to back after a quiet period. */
  burst: number;
}

/** What takes a token before each request. */
export interface RateLimiter {
  /** Resolves when a request may be sent; waits (via `sleep`) if needed. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Options of {@link tokenBucket}. */
export interface TokenBucketOptions extends RateLimit {
  /** Where "now" comes from. */
  clock: Clock;
  /** How to wait; default a real timer. */
  sleep?: Sleep | undefined;
}

/**
 * A token bucket holding up to `burst` tokens, refilled at
 * `requestsPerMinute`. Each {@link RateLimiter.acquire} takes one token,
 * waiting for the next refill when the bucket is empty. Callers are served
 * in order. Time spent waiting is accounted even when `clock` does not move
 * (a test clock), so a stopped clock sees one wait of `60000 /
 * requestsPerMinute` ms per request beyond the burst.
 *
 * @example Alpha Vantage's free tier
 * ```ts
 * import { tokenBucket } from "@pipeline/extract/http/token_bucket.ts";
 * import { systemClock } from "@pipeline/clock.ts";
 * const limiter = tokenBucket({ requestsPerMinute: 5, burst: 1, clock: systemClock });
 * await limiter.acquire();
 * ```
 */
export function tokenBucket(options: TokenBucketOptions): RateLimiter {
  const { requestsPerMinute, burst, clock, sleep = realSleep } = options;
  if (!(requestsPerMinute > 0) || !(burst >= 1)) {
    throw new RangeError(
      `invalid rate limit: ${requestsPerMinute}/min burst ${burst}`,
    );
  }
  const perMs = requestsPerMinute / 60_000;
  let tokens = burst;
  let last = clock.now().getTime();
  let queue: Promise<void> = Promise.resolve();

  const take = async (signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    const now = Math.max(clock.now().getTime(), last);
    tokens = Math.min(burst, tokens + (now - last) * perMs);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return;
    }
    const waitMs = Math.ceil((1 - tokens) / perMs);
    await sleep(waitMs, signal);
    last = Math.max(clock.now().getTime(), last + waitMs);
    tokens = 0;
  };

  return {
    acquire(signal) {
      const turn = queue.then(() => take(signal));
      queue = turn.catch(() => {});
      return turn;
    },
  };
}
