/**
 * Durations as operators write them: `250ms`, `30s`, `5m`, `2h`, `1d`, or
 * combinations like `1h30m`.
 * @module
 */

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Milliseconds of `text`. Throws a `RangeError` naming the text when it is
 * not a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "@pipeline/schedule/duration.ts";
 * parseDuration("1h30m"); // 5_400_000
 * ```
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0, matched = 0;
  for (const m of trimmed.matchAll(re)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0].length;
  }
  if (trimmed === "" || matched !== trimmed.length) {
    throw new RangeError(
      `expected a duration like 250ms, 30s, 5m, 2h, 1d or 1h30m, got "${text}"`,
    );
  }
  return Math.round(total);
}
