/**
 * Which occurrences to run after the scheduler was down: `Deno.cron` keeps
 * no state and fires only from now on, so at start the scheduler lists the
 * occurrences between the last one it recorded and now, and the missed-run
 * policy decides:
 *
 * - `skip`: run none of them (each is recorded as skipped);
 * - `once`: run the latest one, skip the others;
 * - `all`: run them oldest first, at most `cap` (the latest ones), skip the
 *   older rest.
 *
 * Occurrences that were interrupted (a shutdown stopped their run) count as
 * missed. Pure: the clock and the history are passed in.
 * @module
 */
import type { Cadence } from "@pipeline/schedule/cadence.ts";

/** What to do with occurrences missed while the scheduler was down. */
export type MissedPolicy = "skip" | "once" | "all";

/** Every {@link MissedPolicy}. */
export const MISSED_POLICIES: readonly MissedPolicy[] = ["skip", "once", "all"];

/** Options of {@link missedOccurrences}. */
export interface MissedOccurrencesOptions {
  /** The last occurrence already recorded (excluded). */
  after: Date;
  /** Now (included: an occurrence due exactly now was missed too). */
  until: Date;
  /** Keep at most the latest `keep` times. */
  keep: number;
  /** Stop counting after this many. Default 1 000 000. */
  maxCount?: number;
}

/**
 * The occurrences of `cadence` in `(after, until]`: the latest `keep` of
 * them in ascending order, and how many there were in all.
 */
export function missedOccurrences(
  cadence: Cadence,
  options: MissedOccurrencesOptions,
): { times: Date[]; total: number } {
  const { after, until, keep, maxCount = 1_000_000 } = options;
  const times: Date[] = [];
  let total = 0;
  for (
    let t = cadence.next(after);
    t !== null && t.getTime() <= until.getTime() && total < maxCount;
    t = cadence.next(t)
  ) {
    total++;
    times.push(t);
    if (times.length > keep) times.shift();
  }
  return { times, total };
}

/** Options of {@link planMissed}. */
export interface PlanMissedOptions {
  cadence: Cadence;
  /** The latest occurrence recorded for the job; null if it never ran. */
  last: Date | null;
  /** Occurrences whose run a shutdown interrupted. Default none. */
  interrupted?: readonly Date[];
  /** Now (the scheduler's start). */
  now: Date;
  policy: MissedPolicy;
  /** The most occurrences `all` runs, and the most skipped ones recorded. */
  cap: number;
}

/** What to do at start. */
export interface MissedPlan {
  /** Occurrences to run now, oldest first. */
  run: Date[];
  /** Occurrences to record as skipped (at most `cap`, the latest). */
  skip: Date[];
  /** Missed occurrences in all, including those neither run nor recorded. */
  total: number;
}

/**
 * Applies the missed-run policy. A job that never ran has missed nothing
 * (the scheduler does not backfill from the beginning of time).
 *
 * @example Down from 09:10 to 12:30 with an hourly schedule at minute 5
 * ```ts
 * import { cronCadence } from "@pipeline/schedule/cadence.ts";
 * import { planMissed } from "@pipeline/schedule/occurrences.ts";
 * const plan = planMissed({
 *   cadence: cronCadence("5 * * * *"),
 *   last: new Date("2026-11-20T09:05:00Z"),
 *   now: new Date("2026-11-20T12:30:00Z"),
 *   policy: "once",
 *   cap: 24,
 * });
 * plan.run; // [12:05]; plan.skip: [10:05, 11:05]
 * ```
 */
export function planMissed(options: PlanMissedOptions): MissedPlan {
  const { cadence, last, interrupted = [], now, policy, cap } = options;
  const keep = Math.max(cap, 1);
  const missed = last === null
    ? { times: [], total: 0 }
    : missedOccurrences(cadence, { after: last, until: now, keep });
  const byTime = new Map<number, Date>();
  for (const t of [...interrupted, ...missed.times]) {
    if (t.getTime() <= now.getTime()) byTime.set(t.getTime(), t);
  }
  const all = [...byTime.values()].sort((a, b) => a.getTime() - b.getTime())
    .slice(-keep);
  const total = missed.total +
    interrupted.filter((t) => t.getTime() <= now.getTime()).length;
  let run: Date[];
  switch (policy) {
    case "skip":
      run = [];
      break;
    case "once":
      run = all.slice(-1);
      break;
    case "all":
      run = all.slice(-Math.max(cap, 0));
      break;
  }
  const running = new Set(run.map((t) => t.getTime()));
  const skip = all.filter((t) => !running.has(t.getTime())).slice(-keep);
  return { run, skip, total };
}
