/**
 * How a lake table is cut into Parquet partitions: one directory per UTC
 * day (`date=2026-11-20`, intraday bars), month (`month=2026-11`) or year
 * (`year=2026`, daily data: twenty years of daily bars make 20 files, not
 * 5,000). Declared per table with the dataset ({@link SnapshotTable}); the
 * day layout is the default and the one older lakes use.
 * @module
 */
import { EtlError } from "@pipeline/errors.ts";

/** The partition granularities of the lake. */
export const LAKE_GRANULARITIES = ["day", "month", "year"] as const;

/** A lake partition granularity. */
export type LakeGranularity = typeof LAKE_GRANULARITIES[number];

/** One partition of a lake table. */
export interface LakePeriod {
  granularity: LakeGranularity;
  /** The hive value: `2026-11-20`, `2026-11` or `2026`. */
  key: string;
  /** The directory name: `date=2026-11-20`, `month=2026-11`, `year=2026`. */
  dir: string;
  /** First UTC day, `YYYY-MM-DD`. */
  start: string;
  /** The UTC day after the last one, `YYYY-MM-DD` (half-open). */
  end: string;
}

/** The hive key of a granularity: `date` (day), `month` or `year`. */
export function partitionKey(granularity: LakeGranularity): string {
  return granularity === "day" ? "date" : granularity;
}

const KEY_PATTERN: Record<LakeGranularity, RegExp> = {
  day: /^(\d{4})-(\d{2})-(\d{2})$/,
  month: /^(\d{4})-(\d{2})$/,
  year: /^(\d{4})$/,
};

/** `YYYY-MM-DD` of a UTC date. */
function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * The partition of `granularity` holding the UTC day `date`.
 *
 * @param date A `YYYY-MM-DD` calendar date.
 * @throws EtlError (stage `snapshot`) for anything else.
 */
export function periodOf(
  date: string,
  granularity: LakeGranularity = "day",
): LakePeriod {
  const m = KEY_PATTERN.day.exec(date);
  const day = m
    ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
    : null;
  if (!m || !day || isoDay(day) !== date) {
    throw new EtlError(
      `invalid date ${
        JSON.stringify(date)
      }: expected a YYYY-MM-DD calendar date`,
      { stage: "snapshot", partition: `date=${String(date)}` },
    );
  }
  const y = day.getUTCFullYear();
  const mo = day.getUTCMonth();
  const [start, end, key] = granularity === "day"
    ? [day, new Date(Date.UTC(y, mo, day.getUTCDate() + 1)), date]
    : granularity === "month"
    ? [
      new Date(Date.UTC(y, mo, 1)),
      new Date(Date.UTC(y, mo + 1, 1)),
      date.slice(0, 7),
    ]
    : [
      new Date(Date.UTC(y, 0, 1)),
      new Date(Date.UTC(y + 1, 0, 1)),
      date.slice(0, 4),
    ];
  return {
    granularity,
    key,
    dir: `${partitionKey(granularity)}=${key}`,
    start: isoDay(start),
    end: isoDay(end),
  };
}

/** The partitions of `granularity` holding `dates`, unique and ascending. */
export function periodsOf(
  dates: readonly string[],
  granularity: LakeGranularity = "day",
): LakePeriod[] {
  const byKey = new Map<string, LakePeriod>();
  for (const date of dates) {
    const p = periodOf(date, granularity);
    byKey.set(p.key, p);
  }
  return [...byKey.values()].sort((a, b) => a.start.localeCompare(b.start));
}

/**
 * The partition a hive directory name stands for, or null when the name is
 * not one (`date=YYYY-MM-DD`, `month=YYYY-MM`, `year=YYYY` with a real
 * calendar value).
 */
export function parsePartitionDir(dir: string): LakePeriod | null {
  for (const granularity of LAKE_GRANULARITIES) {
    const prefix = `${partitionKey(granularity)}=`;
    if (!dir.startsWith(prefix)) continue;
    const key = dir.slice(prefix.length);
    if (!KEY_PATTERN[granularity].test(key)) return null;
    const start = granularity === "day"
      ? key
      : granularity === "month"
      ? `${key}-01`
      : `${key}-01-01`;
    try {
      const p = periodOf(start, granularity);
      return p.key === key ? p : null;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * The partitions of `granularity` covering `period` (of any granularity):
 * one when it is as fine or finer, every overlapping one when it is coarser
 * (a `year=2026` debt on a table now cut by month is its twelve months).
 */
export function coveringPeriods(
  period: LakePeriod,
  granularity: LakeGranularity,
): LakePeriod[] {
  const out: LakePeriod[] = [];
  let day = period.start;
  while (day < period.end) {
    const p = periodOf(day, granularity);
    out.push(p);
    day = p.end;
  }
  return out;
}
