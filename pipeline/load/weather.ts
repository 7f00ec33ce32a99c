// AUTO-GENERATED from notebooks/04b_load_weather.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/04b_load_weather.ipynb#module
/**
 * The load mapping of weather: the hourly frame goes to `weather_hourly`.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { z } from "zod";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { defineResource, type ResourceSpec } from "@pipeline/load/resource.ts";
import { writeResource } from "@pipeline/load/write.ts";

// %% notebooks/04b_load_weather.ipynb#weather-hourly
/** Hourly weather with its derived columns, keyed by (location, ts). */
export const WEATHER_HOURLY: ResourceSpec = defineResource({
  name: "weather_hourly",
  primaryKey: ["location", "ts"],
  cursor: "ts",
  writeMode: "merge",
  schema: z.object({
    location: z.string(),
    ts: z.date(),
    temperature_2m: z.number().nullable(),
    relative_humidity_2m: z.number().nullable(),
    precipitation: z.number().nullable(),
    wind_speed_10m: z.number().nullable(),
    temperature_2m_ma_24h: z.number().nullable(),
    precipitation_24h: z.number().nullable(),
  }),
});

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
  return [await writeResource(tx, WEATHER_HOURLY, batch.weather, { loadId })];
}
