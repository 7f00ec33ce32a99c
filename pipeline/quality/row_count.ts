/**
 * Row count of each partition against the rows it should have.
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
import {
  count,
  num,
  percent,
  perPartition,
} from "@pipeline/quality/_partitions.ts";

/** Options of {@link rowCountCheck}. */
export interface RowCountOptions<B> {
  /** The frame counted, as named in messages (`bars_1m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column (`symbol`, `location`). */
  entity: string;
  /**
   * Rows every partition should have, computed once from the whole frame
   * (all partitions): the batch's window.
   */
  expected: (frame: pl.DataFrame, input: QualityInput<B>) => number;
  /** Where the expectation comes from, in words (`NYSE session minutes`). */
  basis: string;
  /** The share of the expected rows a partition needs to pass. Default 0.9. */
  minShare?: number;
  /** Default `warn`. */
  severity?: Severity;
  /** Default `row_count`. */
  name?: string;
}

/**
 * A check that each partition of a frame has at least `minShare` of the
 * rows `expected` says it should (more rows pass).
 *
 * @example Warn below 90 % of 390 rows
 * ```ts
 * import { rowCountCheck } from "@pipeline/quality/row_count.ts";
 * const check = rowCountCheck<{ bars: import("nodejs-polars").DataFrame }>({
 *   frame: "bars_1m",
 *   select: ({ batch }) => batch.bars,
 *   entity: "symbol",
 *   expected: () => 390,
 *   basis: "one session",
 * });
 * check.spec.expectation; // ">= 90% of the expected rows (one session)"
 * ```
 */
export function rowCountCheck<B>(options: RowCountOptions<B>): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity,
    expected,
    basis,
    minShare = 0.9,
    severity = "warn",
    name = "row_count",
  } = options;
  return {
    spec: {
      name,
      severity,
      measures: `rows of ${frameName} per ${entity}`,
      expectation: `>= ${percent(minShare)} of the expected rows (${basis})`,
    },
    run(input): CheckOutcome[] {
      const frame = select(input);
      if (frame.height === 0) return [];
      const want = expected(frame, input);
      const limit = Math.ceil(want * minShare - 1e-9);
      return perPartition(frame, entity, [pl.len().alias("rows")]).map(
        ({ partition, values }) => {
          const rows = num(values.rows);
          const passed = rows >= limit;
          const share = want > 0 ? ` (${percent(rows / want)})` : "";
          return {
            partition,
            check: name,
            severity,
            status: statusOf(passed, severity),
            observed: rows,
            expected: want,
            threshold: limit,
            message:
              `${name}: ${partition} has ${
                count(rows, "row")
              } in ${frameName}` +
              `${share}, expected ${want} (${basis})` +
              (passed
                ? ""
                : `; at least ${limit} (${percent(minShare)}) needed`),
          };
        },
      );
    },
  };
}
