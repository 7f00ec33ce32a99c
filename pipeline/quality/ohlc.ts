/**
 * Consistency of the open, high, low and close of each bar.
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

/** Options of {@link ohlcCheck}. */
export interface OhlcOptions<B> {
  /** The frame, as named in messages and the check name (`bars_5m`). */
  frame: string;
  /** Picks that frame from the input. */
  select: (input: QualityInput<B>) => pl.DataFrame;
  /** The partition column. Default `symbol`. */
  entity?: string;
  /** Default `blocking`. */
  severity?: Severity;
}

/**
 * True where a bar is inconsistent: high < max(open, close), low >
 * min(open, close) or high < low. Null prices are not counted (the null
 * rate checks see them).
 */
export function ohlcBroken(): pl.Expr {
  const open = pl.col("open"), close = pl.col("close");
  const high = pl.col("high"), low = pl.col("low");
  return pl.anyHorizontal([
    high.lt(pl.maxHorizontal([open, close])),
    low.gt(pl.minHorizontal([open, close])),
    high.lt(low),
  ]).fillNull(false);
}

/**
 * A check that every bar of a frame is consistent (see {@link ohlcBroken});
 * named `ohlc.<frame>`. Observed is the number of inconsistent bars.
 */
export function ohlcCheck<B>(options: OhlcOptions<B>): QualityCheck<B> {
  const {
    frame: frameName,
    select,
    entity = "symbol",
    severity = "blocking",
  } = options;
  const name = `ohlc.${frameName}`;
  return {
    spec: {
      name,
      severity,
      measures: `bars of ${frameName} per ${entity} with high < max(open, ` +
        `close), low > min(open, close) or high < low`,
      expectation: "= 0",
    },
    run(input): CheckOutcome[] {
      const broken = ohlcBroken();
      return perPartition(select(input), entity, [
        pl.len().alias("rows"),
        broken.sum().alias("broken"),
        pl.col("ts").filter(broken).min().cast(pl.Int64).alias("first"),
      ]).map(({ partition, values }) => {
        const bad = num(values.broken);
        const first = values.first === null || values.first === undefined
          ? ""
          : `, the first at ${iso(num(values.first))}`;
        return {
          partition,
          check: name,
          severity,
          status: statusOf(bad === 0, severity),
          observed: bad,
          expected: 0,
          threshold: 0,
          message: `${name}: ${partition} has ${bad} of ${
            count(num(values.rows), "bar")
          } with inconsistent open/high/low/close${first}, expected 0`,
        };
      });
    },
  };
}
