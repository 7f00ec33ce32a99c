// AUTO-GENERATED from notebooks/04b_load_weather.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/04b_load_weather.ipynb#module
/**
 * The load mapping of weather: the hourly frame goes to `weather_hourly`.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  type FactTableSpec,
  upsertFrame,
  type UpsertResult,
} from "@pipeline/load/upsert.ts";
import { WEATHER_COLUMNS } from "@pipeline/transform/weather.ts";

// %% notebooks/04b_load_weather.ipynb#weather-hourly
/** Hourly weather with its derived columns, keyed by (location, ts). */
export const WEATHER_HOURLY: FactTableSpec = {
  name: "weather_hourly",
  entity: "location",
  time: "ts",
  columns: WEATHER_COLUMNS,
};

// %% notebooks/04b_load_weather.ipynb#weather-batch
/** The frames of one run's weather, as the transform made them. */
export interface WeatherBatch {
  /** Columns `WEATHER_COLUMNS`, unique by (location, ts). */
  weather: pl.DataFrame;
}

// %% notebooks/04b_load_weather.ipynb#load-weather-options
/** Options of {@link loadWeather}. */
export interface LoadWeatherOptions {
  /** The run id, stored as `load_id` on every row written. */
  loadId: string;
}

// %% notebooks/04b_load_weather.ipynb#load-weather
/**
 * Upserts a batch into weather_hourly inside `tx` (the caller's
 * transaction). Null measurements are stored as NULL.
 */
export async function loadWeather(
  tx: SqlClient,
  batch: WeatherBatch,
  options: LoadWeatherOptions,
): Promise<UpsertResult[]> {
  const { loadId } = options;
  return [await upsertFrame(tx, WEATHER_HOURLY, batch.weather, { loadId })];
}
