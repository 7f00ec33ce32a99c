/**
 * The derived assets of the bars dataset, recomputed from `bars_1m` in the
 * load's transaction after its merge (`@pipeline/load/derive.ts`):
 *
 * ```
 * bars_1m (symbol, ts, OHLCV)
 *   ├─► bars_1m.ret, ma_close_20, ma_volume_20, vwap   window over each symbol
 *   ├─► bars_5m   5-minute buckets
 *   ├─► bars_1h   hourly buckets
 *   └─► bars_1d   UTC days (an NYSE session lies inside one UTC day)
 * ```
 *
 * The expressions compute exactly what the transform
 * (`@pipeline/transform/bars.ts`) computes from a batch, in the same order
 * of floating-point operations where it can (returns, the fixed-order
 * moving-average sums, the running VWAP sums), so a batch's own values and
 * the warehouse's agree to the last bit.
 * @module
 */
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";
import type {
  AggregateAsset,
  DerivedAsset,
  Upstream,
  WindowAsset,
} from "@pipeline/load/derived_asset.ts";
import {
  BARS_MA_WINDOW,
  EXCHANGE_TIME_ZONE,
  sortBars,
} from "@pipeline/transform/bars.ts";

/** The upstream of every bar asset: the one-minute bars. */
const BARS_1M: Upstream = { name: "bars_1m", entity: "symbol", time: "ts" };

/** The exchange time zone as an SQL literal (a fixed, checked name). */
const ZONE = (() => {
  if (!/^[A-Za-z_]+\/[A-Za-z_]+$/.test(EXCHANGE_TIME_ZONE)) {
    throw new Error(`invalid time zone ${EXCHANGE_TIME_ZONE}`);
  }
  return `'${EXCHANGE_TIME_ZONE}'`;
})();

/**
 * `x / n` as polars computes a division by a constant: a multiplication by
 * the reciprocal (which can differ from the quotient in the last bit).
 */
function byConstant(x: string, n: number): string {
  return `${x} * (1::float8 / ${n})`;
}

/**
 * The mean of `column` over the current row and the `window - 1` before it,
 * summed oldest first like `withMovingAverages()` (a float8 sum over a
 * moving frame is recomputed from the frame's first row for every row);
 * null until there are `window` rows.
 */
function movingMean(column: string, window: number): string {
  return `CASE WHEN lag(${column}, ${window - 1}) OVER w IS NOT NULL
    THEN ${byConstant(`sum(${column}) OVER m`, window)} END`;
}

/**
 * Returns, moving averages and session VWAP of `bars_1m`: the columns of
 * `transformBars()`, over the warehouse's bars. The period is the
 * exchange's calendar day (the VWAP session).
 */
export const BARS_1M_COLUMNS: WindowAsset = {
  kind: "window",
  upstream: BARS_1M,
  lookback: BARS_MA_WINDOW - 1,
  period: {
    start: (t) =>
      `(date_trunc('day', (${t}) AT TIME ZONE ${ZONE}) AT TIME ZONE ${ZONE})`,
    end: (t) =>
      `((date_trunc('day', (${t}) AT TIME ZONE ${ZONE}) + interval '1 day') AT TIME ZONE ${ZONE})`,
  },
  columns: {
    // Prices are positive (validation), so the divisor is never 0.
    ret: "close / lag(close) OVER w - 1",
    [`ma_close_${BARS_MA_WINDOW}`]: movingMean("close", BARS_MA_WINDOW),
    [`ma_volume_${BARS_MA_WINDOW}`]: movingMean("volume", BARS_MA_WINDOW),
    vwap: `sum(${byConstant("(high + low + close)", 3)} * volume) OVER p
      / nullif(sum(volume) OVER p, 0)`,
  },
};

/** OHLCV, VWAP and bar count of a bucket of one-minute bars. */
const BUCKET_COLUMNS: Readonly<Record<string, string>> = {
  open: "(array_agg(open ORDER BY ts))[1]",
  high: "max(high)",
  low: "min(low)",
  close: "(array_agg(close ORDER BY ts DESC))[1]",
  volume: "sum(volume ORDER BY ts)",
  vwap: `sum((high + low + close) / 3 * volume ORDER BY ts)
    / nullif(sum(volume ORDER BY ts), 0)`,
  bar_count: "count(*)::int",
};

/**
 * One-minute bars sorted by (symbol, ts), as the arrays the bucket pass
 * reads: prepared once per frame and shared by every bucket width (the
 * load computes 5m, 1h and 1d from the same fresh rows).
 */
interface SortedBars {
  /** `symbol` and `open`, in sorted order (the bucket heads are gathered from it). */
  heads: pl.DataFrame;
  /** `ts` in epoch milliseconds. */
  ms: Float64Array;
  /** 1 where the row's symbol differs from the previous row's. */
  newSymbol: Uint8Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

const sortedBarsOf = new WeakMap<pl.DataFrame, SortedBars>();

/** The {@link SortedBars} of `rows`, computed on first use. */
function sortedBars(rows: pl.DataFrame): SortedBars {
  const cached = sortedBarsOf.get(rows);
  if (cached) return cached;
  const symbol = pl.col("symbol");
  const bars = sortBars(rows.select("symbol", "ts", ...PRICES, "volume"))
    .select(
      symbol,
      pl.col("ts").cast(pl.Int64).cast(pl.Float64).alias("ms"),
      symbol.neq(symbol.shift(1)).fillNull(true).cast(pl.UInt8)
        .alias("new_symbol"),
      ...[...PRICES, "volume"].map((c) => pl.col(c).cast(pl.Float64)),
    );
  const column = (c: string) =>
    bars.getColumn(c).toTypedArray() as Float64Array;
  const sorted: SortedBars = {
    heads: bars.select("symbol", "open"),
    ms: column("ms"),
    newSymbol: bars.getColumn("new_symbol").toTypedArray() as Uint8Array,
    high: column("high"),
    low: column("low"),
    close: column("close"),
    volume: column("volume"),
  };
  sortedBarsOf.set(rows, sorted);
  return sorted;
}

/**
 * {@link BUCKET_COLUMNS} computed from one-minute bars that are their
 * symbols' whole history, to the bit: one pass in time order over the
 * columns, adding each bucket's sums in the order `sum(... ORDER BY ts)`
 * does (from its first value; a polars `sum()` adds pairwise, and a
 * per-group `cumSum()` costs seconds on a million bars) and dividing the
 * typical price by 3 as SQL's `/ 3` does (polars multiplies by the
 * reciprocal). The sort and the column arrays are shared by the widths
 * (see {@link sortedBars}); each width costs one pass.
 */
function bucketsFromBars(
  everyMs: number,
): (rows: pl.DataFrame) => pl.DataFrame {
  return (rows) => {
    // The transform computes them for the quality checks; the load of the
    // same frame takes them from here.
    const done = bucketsOf.get(rows)?.get(everyMs);
    if (done) return done;
    const out = bucketPass(rows, everyMs);
    const widths = bucketsOf.get(rows) ?? new Map<number, pl.DataFrame>();
    widths.set(everyMs, out);
    bucketsOf.set(rows, widths);
    return out;
  };
}

/** The buckets computed per frame and width ({@link bucketsFromBars}). */
const bucketsOf = new WeakMap<pl.DataFrame, Map<number, pl.DataFrame>>();

/** One pass of {@link bucketsFromBars} over `rows` at `everyMs`. */
function bucketPass(rows: pl.DataFrame, everyMs: number): pl.DataFrame {
  const { heads, ms, newSymbol, high, low, close, volume } = sortedBars(
    rows,
  );
  const n = ms.length;
  // The bucket start of row i, floored for any sign: exact, as the
  // quotient of two integers below 2^53 never rounds across an integer
  // (and a floating-point `%` costs several times more).
  const bucketOf = (i: number) => Math.floor(ms[i]! / everyMs) * everyMs;
  let groups = 0;
  for (let i = 0, prev = NaN; i < n; i++) {
    const b = bucketOf(i);
    if (newSymbol[i] || b !== prev) groups++;
    prev = b;
  }
  const first = new Uint32Array(groups);
  const out = {
    ts: new Float64Array(groups),
    high: new Float64Array(groups),
    low: new Float64Array(groups),
    close: new Float64Array(groups),
    volume: new Float64Array(groups),
    pv: new Float64Array(groups),
    count: new Int32Array(groups),
  };
  let g = -1;
  for (let i = 0, prev = NaN; i < n; i++) {
    const b = bucketOf(i);
    const pv = (high[i]! + low[i]! + close[i]!) / 3 * volume[i]!;
    if (newSymbol[i] || b !== prev) {
      g++;
      first[g] = i;
      out.ts[g] = b;
      out.high[g] = high[i]!;
      out.low[g] = low[i]!;
      out.volume[g] = volume[i]!;
      out.pv[g] = pv;
    } else {
      out.high[g] = Math.max(out.high[g]!, high[i]!);
      out.low[g] = Math.min(out.low[g]!, low[i]!);
      out.volume[g] = out.volume[g]! + volume[i]!;
      out.pv[g] = out.pv[g]! + pv;
    }
    prev = b;
    out.close[g] = close[i]!;
    out.count[g] = out.count[g]! + 1;
  }
  const v = pl.col("volume");
  return heads.select(pl.col("*").gather(pl.Series("i", first)))
    .withColumns(
      pl.Series("ts", out.ts).cast(pl.Int64).cast(pl.Datetime("ms", "UTC")),
      pl.Series("high", out.high),
      pl.Series("low", out.low),
      pl.Series("close", out.close),
      pl.Series("volume", out.volume),
      pl.Series("__pv", out.pv),
      pl.Series("bar_count", out.count),
    ).select(
      ...BAR_FIELDS,
      // A column by a column: a true division, like SQL's.
      pl.when(v.eq(0)).then(pl.lit(null)).otherwise(pl.col("__pv").div(v))
        .alias("vwap"),
      "bar_count",
    );
}

/** The price columns of a bar. */
const PRICES = ["open", "high", "low", "close"];

/** A bucket table of `bars_1m`. */
function buckets(table: string, everyMs: number): AggregateAsset {
  return {
    kind: "aggregate",
    table,
    upstream: BARS_1M,
    everyMs,
    columns: BUCKET_COLUMNS,
    fromBatch: bucketsFromBars(everyMs),
  };
}

/** 5-minute bars. */
export const BARS_5M_ASSET: AggregateAsset = buckets("bars_5m", 300_000);
/** Hourly bars. */
export const BARS_1H_ASSET: AggregateAsset = buckets("bars_1h", 3_600_000);
/** Daily bars (UTC days). */
export const BARS_1D_ASSET: AggregateAsset = buckets("bars_1d", 86_400_000);

/** Every derived asset of bars, in the order the load recomputes them. */
export const BARS_DERIVED: readonly DerivedAsset[] = [
  BARS_1M_COLUMNS,
  BARS_5M_ASSET,
  BARS_1H_ASSET,
  BARS_1D_ASSET,
];
