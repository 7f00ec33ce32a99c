/**
 * The shape of a data-quality check: its spec (name, severity, what it
 * measures, the expectation), what it reads (the valid frame in arrival
 * order, the batch to load, the run's clock) and what it finds per
 * partition.
 * @module
 */
import type pl from "nodejs-polars";

/**
 * What a failing check does: `blocking` stops the load of its partition
 * (its rows go to quarantine), `warn` only records.
 */
export type Severity = "blocking" | "warn";

/** Every {@link Severity}. */
export const SEVERITIES: readonly Severity[] = ["blocking", "warn"];

/** A check's verdict on one partition: failing `warn` checks say `warn`. */
export type CheckStatus = "pass" | "warn" | "fail";

/** What a check is: stable name, severity, and what it measures. */
export interface CheckSpec {
  /** Unique within a dataset, e.g. `row_count`, `ohlc.bars_5m`. */
  readonly name: string;
  readonly severity: Severity;
  /** What is measured, in words: `duplicate (symbol, ts) keys of bars_5m`. */
  readonly measures: string;
  /** The pass condition in words, with its threshold: `= 0`, `>= 90% of expected`. */
  readonly expectation: string;
}

/** A check's finding on one partition (the dataset's entity). */
export interface CheckOutcome {
  /** The entity: a symbol, a location. */
  partition: string;
  check: string;
  severity: Severity;
  status: CheckStatus;
  /** What was measured (rows, a share, a count, seconds). */
  observed: number | null;
  /** What the data should show, when there is such a value (390 rows, 0). */
  expected: number | null;
  /** The limit the observed value was held to. */
  threshold: number | null;
  /** One line naming the check, partition, observed and expected. */
  message: string;
}

/** What every check reads. */
export interface QualityInput<B> {
  /** The valid frame, in arrival order (as extracted). */
  valid: pl.DataFrame;
  /** The frames the load would write. */
  batch: B;
  /** The run's clock ("now" for the data, `--as-of`). */
  now: Date;
}

/** A check of batches of type `B`. */
export interface QualityCheck<B> {
  readonly spec: CheckSpec;
  /**
   * One outcome per partition present in the frame the check reads, sorted
   * by partition. Pure and columnar; never throws on bad data.
   */
  run(input: QualityInput<B>): CheckOutcome[];
}

/** The status of a finding: pass, or what its severity makes of a failure. */
export function statusOf(passed: boolean, severity: Severity): CheckStatus {
  return passed ? "pass" : severity === "blocking" ? "fail" : "warn";
}
