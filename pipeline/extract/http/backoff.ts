/**
 * How long to wait before the next attempt: exponential backoff with full
 * jitter, or what the server asked for in `Retry-After`.
 * @module
 */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** Delay scale: the ceiling after the first failure, in ms. */
  baseDelayMs: number;
  /** The ceiling no wait exceeds, in ms. */
  maxDelayMs: number;
  /** Uniform random number in [0, 1). */
  random: () => number;
}

/**
 * Full-jitter exponential backoff: a uniform wait in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(attempt-1)))`, rounded to ms.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "@pipeline/extract/http/backoff.ts";
 * backoffDelay({ attempt: 3, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 }); // 200
 * ```
 */
export function backoffDelay(options: BackoffOptions): number {
  const { attempt, baseDelayMs, maxDelayMs, random } = options;
  const ceiling = Math.min(
    maxDelayMs,
    baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(r * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in ms, or `undefined` when the
 * header is absent or unusable. Accepts delta-seconds (`"120"`) or an HTTP
 * date (`"Wed, 21 Oct 2026 07:28:00 GMT"`, measured from `now`). Zero,
 * negative, past or garbage values count as absent, so they never cause a
 * burst of instant retries.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: Date,
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) && seconds > 0
      ? Math.round(seconds * 1000)
      : undefined;
  }
  // An HTTP date names a weekday or month; bare numbers were handled above.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const ms = at - now.getTime();
  return ms > 0 ? ms : undefined;
}
