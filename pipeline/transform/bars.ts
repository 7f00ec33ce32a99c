// AUTO-GENERATED from notebooks/03a_transform_bars.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/03a_transform_bars.ipynb#module
/**
 * The transform stage for one-minute bars: small functions from frame to
 * frame, composed by {@link transformBars}.
 *
 * Input is the valid frame of `@pipeline/bars.ts` (source order, symbols
 * interleaved, may hold exact duplicates of (symbol, ts)). Every function is
 * columnar (polars expressions, no per-row JS), so a million rows stay fast.
 * The per-symbol functions sort by (symbol, ts) themselves and return the
 * frame in that order, so each is correct on its own as well as composed.
 *
 * @module
 */
import pl from "nodejs-polars";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { BAR_FIELDS } from "@pipeline/bars.ts";

// %% notebooks/03a_transform_bars.ipynb#exchange-time-zone
/**
 * The exchange time zone: a VWAP session is one calendar day here.
 */
export const EXCHANGE_TIME_ZONE = "America/New_York";

// %% notebooks/03a_transform_bars.ipynb#bars-ma-window
/**
 * The moving-average window of the `bars` frame. Fixed, because the column
 * names carry it and must match the `bars_1m` table (`ma_close_20`,
 * `ma_volume_20`); other windows are for {@link withMovingAverages} directly.
 */
export const BARS_MA_WINDOW = 20;

// %% notebooks/03a_transform_bars.ipynb#bars-columns
/** Columns of `TransformResult.bars`, in order (the `bars_1m` table minus `load_id`). */
export const BARS_COLUMNS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "ret",
  "ma_close_20",
  "ma_volume_20",
  "vwap",
] as const;

// %% notebooks/03a_transform_bars.ipynb#resampled-columns
/** Columns of the resampled frames, in order (`bars_5m`/`bars_1h` minus `load_id`). */
export const RESAMPLED_COLUMNS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "vwap",
  "bar_count",
] as const;

// %% notebooks/03a_transform_bars.ipynb#is-sorted-bars
/**
 * True when the frame is strictly ascending by (symbol, ts): sorted, and no
 * (symbol, ts) twice. One columnar pass, much cheaper than a sort.
 */
export function isSortedBars(df: pl.DataFrame): boolean {
  if (df.height < 2) return true;
  const symbol = pl.col("symbol");
  const ts = pl.col("ts");
  const prevSymbol = symbol.shift(1);
  const ascending = prevSymbol.isNull()
    .or(symbol.gt(prevSymbol))
    .or(symbol.eq(prevSymbol).and(ts.gt(ts.shift(1))));
  const [sorted] = df.select(ascending.all().alias("sorted"))
    .getColumn("sorted").toArray();
  return sorted === true;
}

// %% notebooks/03a_transform_bars.ipynb#sort-bars
/**
 * The frame sorted by symbol, then ts: the order every per-symbol
 * calculation and every output of this stage uses. The sort is stable (rows
 * with equal keys keep their input order) and skipped when
 * {@link isSortedBars} already holds.
 */
export function sortBars(df: pl.DataFrame): pl.DataFrame {
  if (isSortedBars(df)) return df;
  return df.sort({ by: ["symbol", "ts"], maintainOrder: true });
}

// %% notebooks/03a_transform_bars.ipynb#normalise-timestamps
/**
 * Makes `ts` a `Datetime("ms", "UTC")`. A tz-naive datetime (any unit) is
 * read as UTC wall time; one in another time zone is converted to UTC; a
 * finer unit is truncated to milliseconds.
 *
 * @throws {EtlError} when `ts` is missing or not a datetime.
 */
export function normaliseTimestamps(df: pl.DataFrame): pl.DataFrame {
  const dtype = df.columns.includes("ts") ? df.getColumn("ts").dtype : null;
  if (dtype === null || dtype.variant !== "Datetime") {
    throw new EtlError(
      `cannot normalise column ts: expected a datetime, got ${
        dtype === null ? "no such column" : String(dtype)
      }`,
      { stage: "transform" },
    );
  }
  const [unit, timeZone] = (dtype as pl.Datetime).inner;
  if (unit === "ms" && timeZone === "UTC") return df;
  const ts = pl.col("ts");
  const utc = timeZone
    ? ts.dt.convertTimeZone("UTC")
    : ts.dt.replaceTimeZone("UTC");
  return df.withColumns(utc.cast(pl.Datetime("ms", "UTC")).alias("ts"));
}

// %% notebooks/03a_transform_bars.ipynb#dedupe-result
/** A frame without duplicates, and how many rows were dropped. */
export interface DedupeResult {
  /** The input rows minus duplicates, sorted by symbol, ts. */
  bars: pl.DataFrame;
  /** Rows dropped as duplicates of an earlier (symbol, ts). */
  duplicates: number;
}

// %% notebooks/03a_transform_bars.ipynb#dedupe-bars
/**
 * Drops every row whose (symbol, ts) appeared earlier, keeping the first in
 * input order (the valid frame only holds exact duplicates, so the values do
 * not depend on which copy survives). Returns the rows sorted by symbol, ts:
 * a stable sort puts copies side by side in input order, and one columnar
 * pass drops all but the first (much faster than a hash `unique`).
 */
export function dedupeBars(df: pl.DataFrame): DedupeResult {
  const sorted = sortBars(df);
  const symbol = pl.col("symbol");
  const ts = pl.col("ts");
  const first = symbol.neq(symbol.shift(1)).or(ts.neq(ts.shift(1)))
    .fillNull(true);
  const bars = sorted.filter(first);
  return { bars, duplicates: df.height - bars.height };
}

// %% notebooks/03a_transform_bars.ipynb#with-returns
/**
 * Adds `ret` = close / previous close of the same symbol − 1 (by ts; null
 * for each symbol's first bar in the frame). Returns the frame sorted by
 * symbol, ts.
 */
export function withReturns(df: pl.DataFrame): pl.DataFrame {
  return sortBars(df).withColumns(returnColumn());
}

/** The `ret` column of {@link withReturns}, over a frame sorted by symbol, ts. */
function returnColumn(): pl.Expr {
  const close = pl.col("close");
  return close.div(close.shift(1).over("symbol")).minus(1).alias("ret");
}

// %% notebooks/03a_transform_bars.ipynb#moving-average-options
/** Options of {@link withMovingAverages}. */
export interface MovingAverageOptions {
  /** Bars per window, a positive integer. Default 20. */
  window?: number;
}

// %% notebooks/03a_transform_bars.ipynb#with-moving-averages
/**
 * Adds `ma_close_<window>` and `ma_volume_<window>`: per symbol, the mean of
 * the last `window` bars by ts, including the current one (null until a
 * symbol has `window` bars). Returns the frame sorted by symbol, ts.
 *
 * @throws {EtlError} when `window` is not a positive integer.
 */
export function withMovingAverages(
  df: pl.DataFrame,
  options: MovingAverageOptions = {},
): pl.DataFrame {
  const columns = movingAverageColumns(options.window ?? 20);
  return sortBars(df).withColumns(...columns);
}

/**
 * The columns of {@link withMovingAverages}, over a frame sorted by symbol,
 * ts.
 *
 * @throws {EtlError} when `window` is not a positive integer.
 */
function movingAverageColumns(window: number): pl.Expr[] {
  if (!Number.isInteger(window) || window < 1) {
    throw new EtlError(
      `invalid moving-average window: ${window} (expected a positive integer)`,
      { stage: "transform" },
    );
  }
  // The sum of `window` shifted columns in one fixed order, oldest first,
  // not a rolling (running) sum: each mean depends only on its own window,
  // to the last bit, wherever the batch starts (a running sum drifts in the
  // last digits with its starting point). Oldest first is the order in
  // which the load's SQL recompute (`sum(x) OVER (ROWS 19 PRECEDING)`)
  // adds, so both give the same bits and a re-sent bar is not rewritten.
  const full = pl.col("symbol").eq(pl.col("symbol").shift(window - 1));
  const mean = (column: string) => {
    let sum = pl.col(column).shift(window - 1);
    for (let k = window - 2; k >= 0; k--) {
      sum = sum.add(k === 0 ? pl.col(column) : pl.col(column).shift(k));
    }
    return pl.when(full).then(sum.div(window)).otherwise(pl.lit(null))
      .cast(pl.Float64).alias(`ma_${column}_${window}`);
  };
  return [mean("close"), mean("volume")];
}

// %% notebooks/03a_transform_bars.ipynb#typical-price
/** The typical price of a bar: (high + low + close) / 3. */
export function typicalPrice(): pl.Expr {
  return pl.col("high").plus(pl.col("low")).plus(pl.col("close")).div(3);
}

// %% notebooks/03a_transform_bars.ipynb#session-day
/**
 * The trading session of a bar: midnight of its calendar day in
 * {@link EXCHANGE_TIME_ZONE} (not the UTC day). `dt.truncate` works on local
 * time for a zoned datetime, so this is right across DST and for bars after
 * 20:00 ET, whose UTC date is the next day. (A `cast(pl.Date)` of a zoned
 * datetime gives the UTC date in nodejs-polars 0.25.2, so it is not used.)
 */
export function sessionDay(): pl.Expr {
  return pl.col("ts").dt.convertTimeZone(EXCHANGE_TIME_ZONE).dt.truncate("1d");
}

/**
 * `df` with the {@link sessionDay} of each row as column `name`, converted
 * once per distinct `ts` and joined back (rows keep their order). The
 * time-zone conversion is the costly part and bars of many symbols share
 * their timestamps: on a million bars of ten symbols this took 67 - 80 ms,
 * the conversion of every row 168 - 170 ms.
 */
export function withSessionDay(df: pl.DataFrame, name: string): pl.DataFrame {
  const days = df.select(pl.col("ts").unique())
    .withColumns(sessionDay().alias(name));
  return df.join(days, { on: "ts", how: "left", maintainOrder: "left" });
}

// %% notebooks/03a_transform_bars.ipynb#ratio-or-null
/** `numerator / denominator`, null where the denominator is 0 (never NaN/∞). */
function ratioOrNull(numerator: pl.Expr, denominator: pl.Expr): pl.Expr {
  return pl.when(denominator.eq(0)).then(pl.lit(null))
    .otherwise(numerator.div(denominator));
}

// %% notebooks/03a_transform_bars.ipynb#with-vwap
/**
 * Adds `vwap`, the session VWAP per symbol: cumulative Σ(typical price ×
 * volume) / cumulative Σ volume over the bars so far (by ts) of the same
 * symbol and exchange day ({@link sessionDay}), reset each day. Null while the
 * cumulative volume is 0. Returns the frame sorted by symbol, ts.
 */
export function withVwap(df: pl.DataFrame): pl.DataFrame {
  return withSortedVwap(sortBars(df));
}

/** {@link withVwap} of a frame sorted by symbol, ts. */
function withSortedVwap(sorted: pl.DataFrame): pl.DataFrame {
  // The session is computed once into a scratch column: the time-zone
  // conversion is the costly part, and both sums need it.
  const session = "__vwap_session";
  const cumulative = (e: pl.Expr) => e.cumSum().over("symbol", session);
  const pv = cumulative(typicalPrice().mul(pl.col("volume")));
  const v = cumulative(pl.col("volume"));
  return withSessionDay(sorted, session)
    .withColumns(ratioOrNull(pv, v).alias("vwap"))
    .drop(session);
}

// %% notebooks/03a_transform_bars.ipynb#resample-every
/** The bucket sizes {@link resampleBars} supports. */
export type ResampleEvery = "5m" | "1h";

// %% notebooks/03a_transform_bars.ipynb#resample-options
/** Options of {@link resampleBars}. */
export interface ResampleOptions {
  /** Bucket size, aligned to the clock (`5m`: :00, :05, …; `1h`: :00). */
  every: ResampleEvery;
}

// %% notebooks/03a_transform_bars.ipynb#resample-bars
/**
 * Aggregates one-minute bars into clock-aligned buckets per symbol: `ts` is
 * the bucket start (UTC), open = first by ts, high = max, low = min, close =
 * last by ts, volume = sum, vwap = Σ(typical × volume) / Σ volume (null when
 * Σ volume is 0), bar_count = one-minute bars in the bucket (Int32).
 * Columns are {@link RESAMPLED_COLUMNS}, sorted by symbol, ts. Expects
 * deduplicated bars.
 */
export function resampleBars(
  df: pl.DataFrame,
  options: ResampleOptions,
): pl.DataFrame {
  const { every } = options;
  const volume = pl.col("volume").sum();
  const bars = sortBars(
    df.select("symbol", "ts", "open", "high", "low", "close", "volume"),
  );
  // groupByDynamic needs ts ascending within each symbol; the sort gives it,
  // and makes first()/last() the first and last bar by ts.
  const buckets = bars
    .groupByDynamic({ indexColumn: "ts", every, by: "symbol" })
    .agg(
      pl.col("open").first().alias("open"),
      pl.col("high").max().alias("high"),
      pl.col("low").min().alias("low"),
      pl.col("close").last().alias("close"),
      volume.alias("volume"),
      ratioOrNull(typicalPrice().mul(pl.col("volume")).sum(), volume)
        .alias("vwap"),
      pl.len().cast(pl.Int32).alias("bar_count"),
    )
    .select(...RESAMPLED_COLUMNS);
  return sortBars(buckets);
}

// %% notebooks/03a_transform_bars.ipynb#transform-result
/** What {@link transformBars} produces. */
export interface TransformResult {
  /** One-minute bars with derived columns: {@link BARS_COLUMNS}, by symbol, ts. */
  bars: pl.DataFrame;
  /** 5-minute bars: {@link RESAMPLED_COLUMNS}, by symbol, ts. */
  bars5m: pl.DataFrame;
  /** 1-hour bars: {@link RESAMPLED_COLUMNS}, by symbol, ts. */
  bars1h: pl.DataFrame;
  /** Rows of the valid frame dropped as duplicates of (symbol, ts). */
  duplicates: number;
}

// %% notebooks/03a_transform_bars.ipynb#valid-columns
/** Columns the valid frame must have: the fields every bar source delivers. */
const VALID_COLUMNS = BAR_FIELDS;

// %% notebooks/03a_transform_bars.ipynb#transform-bars
/**
 * The transform stage: normalises ts, drops duplicates (counted), adds
 * returns, 20-bar moving averages ({@link BARS_MA_WINDOW}) and session
 * VWAP, and resamples to 5-minute and 1-hour bars. `record` is dropped.
 *
 * @throws {EtlError} (stage `transform`) when a column is missing or polars
 *   fails; the polars error is the `cause`.
 */
export function transformBars(valid: pl.DataFrame): TransformResult {
  const { bars, duplicates } = transformBarRows(valid);
  try {
    return {
      bars,
      bars5m: resampleBars(bars, { every: "5m" }),
      bars1h: resampleBars(bars, { every: "1h" }),
      duplicates,
    };
  } catch (cause) {
    throw new EtlError(`cannot transform bars: ${errorMessage(cause)}`, {
      stage: "transform",
      cause,
    });
  }
}

/**
 * {@link transformBars} without the resampling: the one-minute bars with
 * their derived columns, and the duplicates dropped. The pipeline's bars
 * dataset computes its buckets once, exactly as the warehouse sums them,
 * for the quality checks and the load alike
 * (`@pipeline/datasets/bars/derived.ts`).
 *
 * @throws {EtlError} as {@link transformBars}.
 */
export function transformBarRows(
  valid: pl.DataFrame,
): { bars: pl.DataFrame; duplicates: number } {
  const missing = VALID_COLUMNS.filter((c) => !valid.columns.includes(c));
  if (missing.length > 0) {
    throw new EtlError(
      `cannot transform bars: missing column(s) ${missing.join(", ")}`,
      { stage: "transform" },
    );
  }
  try {
    const { bars: sorted, duplicates } = dedupeBars(
      normaliseTimestamps(valid.select(...VALID_COLUMNS)),
    );
    // The deduplicated frame is sorted: returns and moving averages in one
    // pass over it, without each function checking the order again.
    const bars = withSortedVwap(
      sorted.withColumns(
        returnColumn(),
        ...movingAverageColumns(BARS_MA_WINDOW),
      ),
    ).select(...BARS_COLUMNS);
    return { bars, duplicates };
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    throw new EtlError(`cannot transform bars: ${errorMessage(cause)}`, {
      stage: "transform",
      cause,
    });
  }
}
