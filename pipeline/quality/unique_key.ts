/**
 * Uniqueness of the key of each row to load.
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
  iso,
  num,
  perPartition,
} from "@pipeline/quality/_partitions.ts";

/** Options of {@link uniqueKeyCheck}. */
export interface UniqueKeyOptions<B> {
  /** The frame, as named in messages and the check name (`bars_5m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column, the key's first part (`symbol`, `location`). */
  entity: string;
  /** The key's time column, its second part. Default `ts`. */
  column?: string;
  /** Default `blocking`. */
  severity?: Severity;
}

/**
 * A check that no (entity, ts) key of a frame appears twice: the table's
 * primary key, which an upsert cannot write twice in one statement. Named
 * `unique_key.<frame>`; observed is the number of rows beyond the first of
 * each key.
 */
export function uniqueKeyCheck<B>(
  options: UniqueKeyOptions<B>,
): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity,
    column = "ts",
    severity = "blocking",
  } = options;
  const name = `unique_key.${frameName}`;
  return {
    spec: {
      name,
      severity,
      measures: `rows of ${frameName} repeating a (${entity}, ${column}) key`,
      expectation: "= 0",
    },
    run(input): CheckOutcome[] {
      const ts = pl.col(column);
      return perPartition(select(input), entity, [
        pl.len().alias("rows"),
        ts.nUnique().alias("keys"),
        ts.filter(ts.isDuplicated()).min().cast(pl.Int64).alias("first"),
      ]).map(({ partition, values }) => {
        const extra = num(values.rows) - num(values.keys);
        const first = values.first === null || values.first === undefined
          ? ""
          : `, the first at ${column} ${iso(num(values.first))}`;
        return {
          partition,
          check: name,
          severity,
          status: statusOf(extra === 0, severity),
          observed: extra,
          expected: 0,
          threshold: 0,
          message:
            `${name}: ${partition} has ${
              count(extra, "row")
            } repeating a (${entity}, ` +
            `${column}) key in ${frameName}${first}, expected 0`,
        };
      });
    },
  };
}
