/**
 * Finiteness of the numbers a batch would load: the last line of defence
 * behind the validation's magnitude limits, for a derived value (return,
 * moving average, VWAP, an aggregate) that came out NaN or infinite.
 * Postgres float8 would store it as such and the lake would carry it on,
 * and a SQL aggregate over it raises "value out of range: overflow".
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

/** Options of {@link finiteCheck}. */
export interface FiniteOptions<B> {
  /** The frame, as named in messages and the check name (`bars_1m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column. Default `symbol`. */
  entity?: string;
  /** Default `blocking`. */
  severity?: Severity;
}

/** The floating-point columns of `frame`. */
function floatColumns(frame: pl.DataFrame): string[] {
  return frame.columns.filter((c) => {
    const variant = frame.getColumn(c).dtype.variant;
    return variant === "Float64" || variant === "Float32";
  });
}

/**
 * A check that every float column of a frame is finite where it is not
 * null (nulls are the null-rate checks' business); named `finite.<frame>`.
 * Observed is the number of rows holding NaN or ±infinity; the message
 * names the columns and the first such row's `ts`.
 */
export function finiteCheck<B>(options: FiniteOptions<B>): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity = "symbol",
    severity = "blocking",
  } = options;
  const name = `finite.${frameName}`;
  return {
    spec: {
      name,
      severity,
      measures: `rows of ${frameName} per ${entity} with a NaN or infinite ` +
        `number (prices, volume and every derived value)`,
      expectation: "= 0",
    },
    run(input): CheckOutcome[] {
      const frame = select(input);
      const columns = floatColumns(frame);
      const bad = (c: string) => pl.col(c).isFinite().not().fillNull(false);
      const broken = columns.length === 0
        ? pl.lit(false)
        : pl.anyHorizontal(columns.map(bad));
      return perPartition(frame, entity, [
        pl.len().alias("rows"),
        broken.sum().alias("broken"),
        pl.col("ts").filter(broken).min().cast(pl.Int64).alias("first"),
        ...columns.map((c) => bad(c).any().alias(`__in_${c}`)),
      ]).map(({ partition, values }) => {
        const n = num(values.broken);
        const where = columns.filter((c) => values[`__in_${c}`] === true);
        const detail = n === 0
          ? ""
          : ` (${where.join(", ")}), the first at ${iso(num(values.first))}`;
        return {
          partition,
          check: name,
          severity,
          status: statusOf(n === 0, severity),
          observed: n,
          expected: 0,
          threshold: 0,
          message: `${name}: ${partition} has ${n} of ${
            count(num(values.rows), "row")
          } with a NaN or infinite value${detail}, expected 0`,
        };
      });
    },
  };
}
