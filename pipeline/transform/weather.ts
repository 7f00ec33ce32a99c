// AUTO-GENERATED from notebooks/03b_transform_weather.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/03b_transform_weather.ipynb#module
/**
 * The transform stage for hourly weather: small functions from frame to
 * frame, composed by {@link transformWeather}.
 *
 * Input is the valid weather frame of `@pipeline/validate/weather.ts`
 * (source order, locations interleaved, measurements nullable, may hold
 * exact duplicates of (location, ts)). Every function is columnar, and the
 * per-location ones sort by (location, ts) themselves.
 *
 * The derived columns cover the 24 hours ending at `ts`, i.e. the hours
 * (ts − 24 h, ts], which for Open-Meteo's "preceding hour" precipitation is
 * exactly the last 24 hours of rain. They are only given when the whole
 * window is known: null unless the batch holds the location's 24 hourly rows
 * ts − 23 h … ts, one hour apart, each with a non-null value. A partial
 * mean or sum would silently understate (a sum) or shift (a mean), so the
 * first 23 hours of each location in a batch, and the 24 hours after a gap
 * or a null, are null.
 *
 * @module
 */
import pl from "nodejs-polars";
import { WEATHER_VARIABLES } from "@pipeline/extract/openmeteo.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { normaliseTimestamps } from "@pipeline/transform/bars.ts";

// %% notebooks/03b_transform_weather.ipynb#weather-window-hours
/** Hours in the window of the derived columns (their names carry it). */
export const WEATHER_WINDOW_HOURS = 24;

// %% notebooks/03b_transform_weather.ipynb#hour-ms
const HOUR_MS = 3_600_000;

// %% notebooks/03b_transform_weather.ipynb#weather-columns
/** Columns of `TransformWeatherResult.weather`, in order (`weather_hourly` minus `load_id`). */
export const WEATHER_COLUMNS = [
  "location",
  "ts",
  ...WEATHER_VARIABLES,
  "temperature_2m_ma_24h",
  "precipitation_24h",
] as const;

// %% notebooks/03b_transform_weather.ipynb#sort-weather
/**
 * The frame sorted by location, then ts. The sort is stable: rows with equal
 * keys keep their input order.
 */
export function sortWeather(df: pl.DataFrame): pl.DataFrame {
  return df.sort({ by: ["location", "ts"], maintainOrder: true });
}

// %% notebooks/03b_transform_weather.ipynb#dedupe-weather-result
/** A weather frame without duplicates, and how many rows were dropped. */
export interface DedupeWeatherResult {
  /** The input rows minus duplicates, sorted by location, ts. */
  weather: pl.DataFrame;
  /** Rows dropped as duplicates of an earlier (location, ts). */
  duplicates: number;
}

// %% notebooks/03b_transform_weather.ipynb#dedupe-weather
/**
 * Drops every row whose (location, ts) appeared earlier, keeping the first
 * in input order (the valid frame only holds exact duplicates, so the values
 * do not depend on which copy survives). Returns the rows sorted by
 * location, ts.
 */
export function dedupeWeather(df: pl.DataFrame): DedupeWeatherResult {
  const sorted = sortWeather(df);
  const location = pl.col("location");
  const ts = pl.col("ts");
  const first = location.neq(location.shift(1)).or(ts.neq(ts.shift(1)))
    .fillNull(true);
  const weather = sorted.filter(first);
  return { weather, duplicates: df.height - weather.height };
}

// %% notebooks/03b_transform_weather.ipynb#full-window
/**
 * True where the row closes a full window: it and the 23 rows before it of
 * the same location are consecutive hours (each one hour after the last).
 * Null or false otherwise. Expects rows sorted by location, ts.
 */
export function fullWindow(): pl.Expr {
  const steps = WEATHER_WINDOW_HOURS - 1;
  const hourAfterPrevious = pl.col("ts").cast(pl.Int64).diff(1, "ignore")
    .eq(HOUR_MS).cast(pl.Int32);
  return hourAfterPrevious.over("location")
    .rollingSum({ windowSize: steps }).over("location")
    .eq(steps);
}

// %% notebooks/03b_transform_weather.ipynb#with-rolling24h
/**
 * Adds `temperature_2m_ma_24h` (mean of `temperature_2m`) and
 * `precipitation_24h` (sum of `precipitation`) over the 24 hours ending at
 * `ts`, per location; null unless the window is complete (see the module
 * doc). Returns the frame sorted by location, ts; expects unique
 * (location, ts).
 */
export function withRolling24h(df: pl.DataFrame): pl.DataFrame {
  const window = { windowSize: WEATHER_WINDOW_HOURS };
  const full = "__full_window";
  const whenFull = (e: pl.Expr) =>
    pl.when(pl.col(full)).then(e).otherwise(pl.lit(null).cast(pl.Float64));
  return sortWeather(df)
    .withColumns(fullWindow().alias(full))
    .withColumns(
      whenFull(pl.col("temperature_2m").rollingMean(window).over("location"))
        .alias("temperature_2m_ma_24h"),
      whenFull(pl.col("precipitation").rollingSum(window).over("location"))
        .alias("precipitation_24h"),
    )
    .drop(full);
}

// %% notebooks/03b_transform_weather.ipynb#transform-weather-result
/** What {@link transformWeather} produces. */
export interface TransformWeatherResult {
  /** Hourly weather with derived columns: {@link WEATHER_COLUMNS}, by location, ts. */
  weather: pl.DataFrame;
  /** Rows of the valid frame dropped as duplicates of (location, ts). */
  duplicates: number;
}

// %% notebooks/03b_transform_weather.ipynb#valid-columns
/** Columns the valid frame must have. */
const VALID_COLUMNS = ["location", "ts", ...WEATHER_VARIABLES] as const;

// %% notebooks/03b_transform_weather.ipynb#transform-weather
/**
 * The transform stage: normalises ts, drops exact duplicates (counted) and
 * adds the 24-hour mean temperature and precipitation sum. `record` is
 * dropped.
 *
 * @throws {EtlError} (stage `transform`) when a column is missing or polars
 *   fails; the polars error is the `cause`.
 */
export function transformWeather(
  valid: pl.DataFrame,
): TransformWeatherResult {
  const missing = VALID_COLUMNS.filter((c) => !valid.columns.includes(c));
  if (missing.length > 0) {
    throw new EtlError(
      `cannot transform weather: missing column(s) ${missing.join(", ")}`,
      { stage: "transform" },
    );
  }
  try {
    const { weather: unique, duplicates } = dedupeWeather(
      normaliseTimestamps(
        valid.select(
          pl.col("location"),
          pl.col("ts"),
          ...WEATHER_VARIABLES.map((f) => pl.col(f).cast(pl.Float64)),
        ),
      ),
    );
    const weather = withRolling24h(unique).select(...WEATHER_COLUMNS);
    return { weather, duplicates };
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    throw new EtlError(`cannot transform weather: ${errorMessage(cause)}`, {
      stage: "transform",
      cause,
    });
  }
}
