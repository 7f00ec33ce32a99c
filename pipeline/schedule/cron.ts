/**
 * Five-field cron expressions (`minute hour day-of-month month
 * day-of-week`), evaluated in UTC like `Deno.cron`: `*`, numbers, ranges
 * `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`. Day of week 0–7 (0 and 7
 * are Sunday). When both day fields are restricted, a day matching either
 * matches (classic cron). Pure: the scheduler uses it to name each
 * occurrence's time and to list the occurrences it missed.
 * @module
 */

/** A parsed cron expression. */
export interface CronExpression {
  /** The text it was parsed from. */
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6. */
  readonly weekdays: ReadonlySet<number>;
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
}

/** A cron expression that cannot be parsed. */
export class CronSyntaxError extends Error {
  override name = "CronSyntaxError";
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

function parseField(
  text: string,
  field: typeof FIELDS[number],
  expr: string,
): Set<number> {
  const out = new Set<number>();
  const bad = (why: string) =>
    new CronSyntaxError(
      `invalid cron expression "${expr}": ${field.name} "${text}" ${why}`,
    );
  const num = (s: string) => {
    if (!/^\d+$/.test(s)) throw bad("is not a number, range or step");
    const n = Number(s);
    if (n < field.min || n > field.max) {
      throw bad(`is outside ${field.min}-${field.max}`);
    }
    return n;
  };
  for (const part of text.split(",")) {
    const [range, stepText, ...extra] = part.split("/");
    if (extra.length || range === undefined || range === "") {
      throw bad("is malformed");
    }
    const step = stepText === undefined ? 1 : num(stepText);
    if (step < 1) throw bad("has a zero step");
    let lo: number, hi: number;
    if (range === "*") {
      lo = field.min;
      hi = field.max;
    } else if (range.includes("-")) {
      const [a, b, ...more] = range.split("-");
      if (more.length || a === undefined || b === undefined) {
        throw bad("is malformed");
      }
      lo = num(a);
      hi = num(b);
      if (hi < lo) throw bad("is a backwards range");
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : field.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/**
 * Parses `text`. Throws a {@link CronSyntaxError} naming the bad field.
 *
 * @example
 * ```ts
 * import { parseCron } from "@pipeline/schedule/cron.ts";
 * parseCron("5 * * * *").minutes; // Set {5}
 * ```
 */
export function parseCron(text: string): CronExpression {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError(
      `invalid cron expression "${text}": expected 5 fields (minute hour ` +
        `day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const [m, h, dom, mon, dow] = parts.map((p, i) =>
    parseField(p, FIELDS[i]!, text)
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.has(7)) {
    dow.delete(7);
    dow.add(0);
  }
  return {
    source: text.trim(),
    minutes: m,
    hours: h,
    days: dom,
    months: mon,
    weekdays: dow,
    anyDay: parts[2] === "*",
    anyWeekday: parts[4] === "*",
  };
}

function dayMatches(c: CronExpression, d: Date): boolean {
  const dom = c.days.has(d.getUTCDate());
  const dow = c.weekdays.has(d.getUTCDay());
  if (c.anyDay && c.anyWeekday) return true;
  if (c.anyDay) return dow;
  if (c.anyWeekday) return dom;
  return dom || dow;
}

/** Whether the UTC minute of `at` is an occurrence of `cron`. */
export function cronMatches(cron: CronExpression, at: Date): boolean {
  return cron.months.has(at.getUTCMonth() + 1) && dayMatches(cron, at) &&
    cron.hours.has(at.getUTCHours()) && cron.minutes.has(at.getUTCMinutes());
}

const MINUTE = 60_000;
/** Searches stop after this far (a `30 2 31 2 *` never matches). */
const HORIZON_MS = 5 * 366 * 86_400_000;

/**
 * The first occurrence strictly after `after`, or null if there is none
 * within five years (e.g. February 31st).
 */
export function nextCronTime(cron: CronExpression, after: Date): Date | null {
  const t = new Date(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE);
  const limit = after.getTime() + HORIZON_MS;
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return null;
}

/**
 * The latest occurrence at or before `at` (the occurrence a firing at `at`
 * belongs to), or null if there is none within five years.
 */
export function latestCronTime(cron: CronExpression, at: Date): Date | null {
  const t = new Date(Math.floor(at.getTime() / MINUTE) * MINUTE);
  const limit = at.getTime() - HORIZON_MS;
  while (t.getTime() >= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCDate(1);
      t.setUTCHours(0, 0, 0, 0);
      t.setTime(t.getTime() - MINUTE);
    } else if (!dayMatches(cron, t)) {
      t.setUTCHours(0, 0, 0, 0);
      t.setTime(t.getTime() - MINUTE);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCMinutes(0, 0, 0);
      t.setTime(t.getTime() - MINUTE);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setTime(t.getTime() - MINUTE);
    } else {
      return t;
    }
  }
  return null;
}
