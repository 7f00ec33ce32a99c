/**
 * Share of nulls in one column of each partition.
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
  type PartitionRow,
  percent,
  perPartition,
} from "@pipeline/quality/_partitions.ts";

/** Options of {@link nullRateCheck}. */
export interface NullRateOptions<B> {
  /** The frame, as named in messages (`bars_1m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column (`symbol`, `location`). */
  entity: string;
  /** The column whose nulls are counted. */
  column: string;
  /** The highest share of nulls that passes. Default 0. */
  maxRate?: number;
  /**
   * The warm-up of a derived column: each partition's first `leading` rows
   * by `orderBy` are not counted (1 for a return, window − 1 for a moving
   * average, which are null at the start of a batch). Default 0.
   */
  leading?: number;
  /** Orders rows for `leading`. Default `ts`. */
  orderBy?: string;
  /** Default `warn`. */
  severity?: Severity;
}

/**
 * A check that the share of nulls of `column` in each partition, after its
 * first `leading` rows, is at most `maxRate`. Named `null_rate.<column>`.
 * A missing column fails every partition.
 */
export function nullRateCheck<B>(options: NullRateOptions<B>): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity,
    column,
    maxRate = 0,
    leading = 0,
    orderBy = "ts",
    severity = "warn",
  } = options;
  const name = `null_rate.${column}`;
  const after = leading > 0
    ? ` after the first ${leading} rows per ${entity}`
    : "";
  return {
    spec: {
      name,
      severity,
      measures:
        `share of nulls in ${frameName}.${column} per ${entity}${after}`,
      expectation: `<= ${percent(maxRate)}`,
    },
    run(input): CheckOutcome[] {
      const frame = select(input);
      const base = { check: name, severity, expected: 0, threshold: maxRate };
      if (!frame.columns.includes(column)) {
        return perPartition(frame, entity, [pl.len().alias("rows")]).map((
          { partition },
        ) => ({
          ...base,
          partition,
          status: statusOf(false, severity),
          observed: null,
          message: `${name}: ${frameName} has no column ${column}`,
        }));
      }
      const nulls = leading > 0
        ? pl.col(column).isNull().and(pl.col(POSITION).gt(leading))
        : pl.col(column).isNull();
      // A column without nulls has none in any partition: only the rows
      // are counted, once for every such column of the frame.
      const partitions = frame.getColumn(column).nullCount() === 0
        ? rowsPerPartition(frame, entity)
        : perPartition(
          leading > 0 ? withPositions(frame, entity, orderBy) : frame,
          entity,
          [pl.len().alias("rows"), nulls.sum().alias("nulls")],
        );
      return partitions.map(({ partition, values }) => {
        const rows = Math.max(0, num(values.rows) - leading);
        const nulls = num(values.nulls);
        const rate = rows > 0 ? nulls / rows : 0;
        const passed = rate <= maxRate;
        return {
          ...base,
          partition,
          status: statusOf(passed, severity),
          observed: rate,
          message: `${name}: ${partition} has ${count(nulls, "null")} in ` +
            `${count(rows, "row")} ` +
            `of ${frameName}.${column}${after} (${percent(rate)}), ` +
            `expected at most ${percent(maxRate)}`,
        };
      });
    },
  };
}

/** The column {@link withPositions} adds. */
const POSITION = "__position";

/**
 * Per frame, what its null-rate checks share (each check of a million bars
 * grouped the frame again: eleven checks took 208 ms). Weak, so a batch's
 * frames are not kept alive by it.
 */
const SHARED = new WeakMap<pl.DataFrame, Map<string, unknown>>();

function shared<T>(frame: pl.DataFrame, key: string, make: () => T): T {
  let byKey = SHARED.get(frame);
  if (!byKey) SHARED.set(frame, byKey = new Map());
  if (!byKey.has(key)) byKey.set(key, make());
  return byKey.get(key) as T;
}

/** The rows of each partition of `frame`, with `nulls` 0. */
function rowsPerPartition(
  frame: pl.DataFrame,
  entity: string,
): PartitionRow[] {
  return shared(
    frame,
    `rows\0${entity}`,
    () => perPartition(frame, entity, [pl.len().alias("rows")]),
  );
}

/**
 * `frame` with {@link POSITION}, the position of each row in its partition
 * by `orderBy` (1-based). (A sortBy().slice() aggregate miscounts nulls in
 * nodejs-polars 0.25.2, so the warm-up is a filter on the position instead.)
 */
function withPositions(
  frame: pl.DataFrame,
  entity: string,
  orderBy: string,
): pl.DataFrame {
  return shared(
    frame,
    `position\0${entity}\0${orderBy}`,
    () =>
      frame.withColumns(
        pl.col(orderBy).rank("ordinal").over(entity).alias(POSITION),
      ),
  );
}
