/**
 * Partition periods: a UTC day or a UTC month, and the partition name of a
 * period (`bars_1m_p2026_11`, `bars_1m_p2026_11_20`).
 * @module
 */

/** The granularities of range partitions. */
export const GRANULARITIES = ["day", "month"] as const;

/** A UTC day or a UTC month. */
export type Granularity = typeof GRANULARITIES[number];

/** Longest table name whose partition names fit Postgres' 63 bytes. */
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

/** The start of the period of `granularity` that contains `at` (UTC). */
export function periodStart(at: Date, granularity: Granularity): Date {
  const y = at.getUTCFullYear(), m = at.getUTCMonth();
  return granularity === "month"
    ? new Date(Date.UTC(y, m, 1))
    : new Date(Date.UTC(y, m, at.getUTCDate()));
}

/** `start` moved by `n` periods of `granularity` (UTC). */
export function addPeriods(
  start: Date,
  granularity: Granularity,
  n: number,
): Date {
  const y = start.getUTCFullYear(), m = start.getUTCMonth();
  return granularity === "month"
    ? new Date(Date.UTC(y, m + n, 1))
    : new Date(Date.UTC(y, m, start.getUTCDate() + n));
}

/**
 * The starts of the periods that cover `[from, to)`, followed by `ahead`
 * more periods.
 *
 * @example
 * ```ts
 * import { periodsCovering } from "@pipeline/warehouse/granularity.ts";
 * periodsCovering(new Date("2026-11-20T14:30:00Z"), new Date("2026-11-20T15:00:00Z"), "month", 1);
 * // [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z]
 * ```
 */
export function periodsCovering(
  from: Date,
  to: Date,
  granularity: Granularity,
  ahead = 0,
): Date[] {
  if (!(to.getTime() > from.getTime())) return [];
  const starts: Date[] = [];
  let start = periodStart(from, granularity);
  while (start.getTime() < to.getTime()) {
    starts.push(start);
    start = addPeriods(start, granularity, 1);
  }
  for (let i = 0; i < ahead; i++) {
    starts.push(start);
    start = addPeriods(start, granularity, 1);
  }
  return starts;
}

/**
 * The name of the partition of `table` for the period starting at `start`:
 * `<table>_pYYYY_MM` (month) or `<table>_pYYYY_MM_DD` (day). Throws a
 * `TypeError` when `table` is not a lower snake case name of at most 51
 * characters.
 */
export function partitionName(
  table: string,
  start: Date,
  granularity: Granularity,
): string {
  if (typeof table !== "string" || !TABLE_NAME.test(table)) {
    throw new TypeError(
      `invalid table name ${JSON.stringify(table)}: expected ${TABLE_NAME}`,
    );
  }
  const iso = start.toISOString();
  const suffix = granularity === "month"
    ? iso.slice(0, 7).replace("-", "_")
    : iso.slice(0, 10).replaceAll("-", "_");
  return `${table}_p${suffix}`;
}
