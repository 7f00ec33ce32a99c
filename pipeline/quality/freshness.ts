/**
 * How far the newest timestamp of each partition lags behind the newest
 * one the data could have at the run's clock.
 * @module
 */
import pl from "nodejs-polars";
import {
  type CheckOutcome,
  type QualityCheck,
  type QualityInput,
  type Severity,
  statusOf,
} from "@pipeline/quality/check.ts";
import { iso, num, perPartition } from "@pipeline/quality/_partitions.ts";
import { formatSeconds } from "@pipeline/ops/alerts.ts";

/** Options of {@link freshnessCheck}. */
export interface FreshnessOptions<B> {
  /** The frame, as named in messages (`bars_1m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column (`symbol`, `location`). */
  entity: string;
  /** The timestamp column. Default `ts`. */
  column?: string;
  /**
   * The newest timestamp the data could have at `now`: for bars the last
   * session minute so far, not `now` itself (no bars at night or on
   * weekends). Default `now`.
   */
  latestExpected?: (now: Date) => Date;
  /** Words for `latestExpected`. Default `the run's clock`. */
  basis?: string;
  /** The largest lag that passes, in ms. Default one hour. */
  maxLagMs?: number;
  /** Default `warn`. */
  severity?: Severity;
}

/**
 * A check that each partition's newest timestamp is at most `maxLagMs`
 * behind `latestExpected(now)`. Observed and threshold are seconds; a
 * newest timestamp ahead of the expectation (a forecast) lags 0.
 */
export function freshnessCheck<B>(
  options: FreshnessOptions<B>,
): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity,
    column = "ts",
    latestExpected = (now: Date) => now,
    basis = "the run's clock",
    maxLagMs = 3_600_000,
    severity = "warn",
  } = options;
  const name = "freshness";
  const limit = Math.round(maxLagMs / 1000);
  return {
    spec: {
      name,
      severity,
      measures:
        `lag of the newest ${frameName}.${column} per ${entity} behind ${basis}`,
      expectation: `<= ${formatSeconds(limit)}`,
    },
    run(input): CheckOutcome[] {
      const frame = select(input);
      const wantMs = latestExpected(input.now).getTime();
      return perPartition(frame, entity, [
        pl.col(column).max().cast(pl.Int64).alias("newest"),
      ]).map(({ partition, values }) => {
        const newest = num(values.newest);
        const lag = Math.max(0, Math.round((wantMs - newest) / 1000));
        const passed = lag <= limit;
        return {
          partition,
          check: name,
          severity,
          status: statusOf(passed, severity),
          observed: lag,
          expected: 0,
          threshold: limit,
          message: `${name}: ${partition} newest ${column} ${iso(newest)} is ` +
            `${formatSeconds(lag)} behind ${iso(wantMs)} (${basis}), ` +
            `expected at most ${formatSeconds(limit)}`,
        };
      });
    },
  };
}
