/**
 * When a job's occurrences fall: a cron expression (the real schedule,
 * fired by `Deno.cron`) or a fixed interval (the test-only tick). The
 * occurrence logic only asks a cadence for the next and latest times, so
 * both drive the same code.
 * @module
 */
import {
  type CronExpression,
  latestCronTime,
  nextCronTime,
  parseCron,
} from "@pipeline/schedule/cron.ts";

/** The times of a job's occurrences. */
export interface Cadence {
  /** `cron 5 * * * *` or `every 2000 ms`, for logs. */
  readonly describe: string;
  /** The cron expression, when it is one (what `Deno.cron` registers). */
  readonly cron: string | null;
  /** The interval, when it is one. */
  readonly everyMs: number | null;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date | null;
  /** The occurrence at or before `at` that a firing at `at` belongs to. */
  latest(at: Date): Date | null;
}

/** The cadence of a cron expression (UTC). Throws on bad syntax. */
export function cronCadence(expression: string): Cadence {
  const cron: CronExpression = parseCron(expression);
  return {
    describe: `cron "${cron.source}" (UTC)`,
    cron: cron.source,
    everyMs: null,
    next: (after) => nextCronTime(cron, after),
    latest: (at) => latestCronTime(cron, at),
  };
}

/** Occurrences every `ms` milliseconds, at multiples of `ms` since the epoch. */
export function everyCadence(ms: number): Cadence {
  if (!Number.isInteger(ms) || ms < 1) {
    throw new RangeError(
      `an interval must be a positive integer of ms, got ${ms}`,
    );
  }
  return {
    describe: `every ${ms} ms`,
    cron: null,
    everyMs: ms,
    next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms),
    latest: (at) => new Date(Math.floor(at.getTime() / ms) * ms),
  };
}
