/**
 * Whether each partition's timestamps arrived in order.
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
import { count, num, perPartition } from "@pipeline/quality/_partitions.ts";

/** Options of {@link monotonicCheck}. */
export interface MonotonicOptions<B> {
  /** The frame, as named in messages (`valid`). */
  frame: string;
  /** Picks that frame, in arrival order, from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column (`symbol`, `location`). */
  entity: string;
  /** The timestamp column. Default `ts`. */
  column?: string;
  /** Steps against the order that still pass. Default 0. */
  maxSteps?: number;
  /** Default `warn`. */
  severity?: Severity;
}

/**
 * A check that each partition's timestamps, in the order they arrived, are
 * monotonic: every step between consecutive records goes the same way
 * (later, or earlier: Alpha Vantage sends newest first); equal timestamps
 * (exact duplicates) are neither. Observed is the number of steps against
 * the partition's main direction.
 */
export function monotonicCheck<B>(
  options: MonotonicOptions<B>,
): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity,
    column = "ts",
    maxSteps = 0,
    severity = "warn",
  } = options;
  const name = "monotonic_ts";
  return {
    spec: {
      name,
      severity,
      measures:
        `steps between consecutive ${column} of ${frameName} per ${entity}, ` +
        `in arrival order, against the main direction`,
      expectation: `<= ${maxSteps}`,
    },
    run(input): CheckOutcome[] {
      const step = pl.col(column).cast(pl.Int64).diff(1, "ignore");
      return perPartition(select(input), entity, [
        step.gt(0).sum().alias("up"),
        step.lt(0).sum().alias("down"),
      ]).map(({ partition, values }) => {
        const up = num(values.up);
        const down = num(values.down);
        const against = Math.min(up, down);
        const passed = against <= maxSteps;
        const direction = up >= down ? "ascending" : "descending";
        return {
          partition,
          check: name,
          severity,
          status: statusOf(passed, severity),
          observed: against,
          expected: 0,
          threshold: maxSteps,
          message:
            `${name}: ${partition} has ${against} of ${
              count(up + down, "step")
            } of ${column} against its ${direction} arrival order, ` +
            `expected at most ${maxSteps}`,
        };
      });
    },
  };
}
