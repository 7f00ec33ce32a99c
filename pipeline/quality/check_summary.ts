/**
 * The checks of a run as its summary shows them: counts by status, the
 * blocked partitions, the failures and warnings.
 * @module
 */
import type { CheckOutcome } from "@pipeline/quality/check.ts";

/** How many failures and warnings a summary lists (the counts are exact). */
export const LISTED_OUTCOMES = 100;

/** The checks of one run. */
export interface CheckSummary {
  /** Outcomes (check × partition) that passed. */
  pass: number;
  /** Outcomes of `warn` checks that failed: recorded only. */
  warn: number;
  /** Outcomes of `blocking` checks that failed: their partitions were not loaded. */
  fail: number;
  /** Partitions checked. */
  partitions: number;
  /** Partitions a failing blocking check stopped, sorted. */
  blocked: string[];
  /** The failing blocking outcomes (the first {@link LISTED_OUTCOMES}). */
  failures: CheckOutcome[];
  /** The warnings (the first {@link LISTED_OUTCOMES}). */
  warnings: CheckOutcome[];
}

/** The summary of `outcomes`. */
export function summariseChecks(
  outcomes: readonly CheckOutcome[],
): CheckSummary {
  const failures = outcomes.filter((o) => o.status === "fail");
  const warnings = outcomes.filter((o) => o.status === "warn");
  return {
    pass: outcomes.length - failures.length - warnings.length,
    warn: warnings.length,
    fail: failures.length,
    partitions: new Set(outcomes.map((o) => o.partition)).size,
    blocked: [...new Set(failures.map((o) => o.partition))].sort(),
    failures: failures.slice(0, LISTED_OUTCOMES),
    warnings: warnings.slice(0, LISTED_OUTCOMES),
  };
}

/**
 * The run error of blocked partitions: `quality checks blocked 1 of 3
 * partitions: AAPL (row_count)`.
 */
export function blockedError(s: CheckSummary): string {
  const why = (p: string) => {
    const checks = s.failures.filter((o) => o.partition === p).map((o) =>
      o.check
    );
    return checks.length ? `${p} (${checks.join(", ")})` : p;
  };
  return `quality checks blocked ${s.blocked.length} of ${s.partitions} ` +
    `partitions: ${s.blocked.map(why).join(", ")}`;
}

/** Lines for the text summary: the counts, each failure, a few warnings. */
export function formatChecks(
  s: CheckSummary,
  options: { warnings?: number } = {},
): string[] {
  const { warnings = 5 } = options;
  const blocked = s.blocked.length ? `; blocked ${s.blocked.join(", ")}` : "";
  const lines = [
    `checks: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail over ` +
    `${s.partitions} partitions${blocked}`,
  ];
  for (const o of s.failures) lines.push(`FAILED check ${o.message}`);
  for (const o of s.warnings.slice(0, warnings)) {
    lines.push(`WARN check ${o.message}`);
  }
  if (s.warn > warnings) {
    lines.push(`(${s.warn - warnings} more warnings: see etl_checks)`);
  }
  return lines;
}

/**
 * The summary of two sets of outcomes of one run (a backfill's chunks):
 * counts added, partitions counted per set, blocked partitions merged.
 */
export function mergeChecks(
  a: CheckSummary | null,
  b: CheckSummary,
): CheckSummary {
  if (!a) return b;
  return {
    pass: a.pass + b.pass,
    warn: a.warn + b.warn,
    fail: a.fail + b.fail,
    partitions: a.partitions + b.partitions,
    blocked: [...new Set([...a.blocked, ...b.blocked])].sort(),
    failures: [...a.failures, ...b.failures].slice(0, LISTED_OUTCOMES),
    warnings: [...a.warnings, ...b.warnings].slice(0, LISTED_OUTCOMES),
  };
}
