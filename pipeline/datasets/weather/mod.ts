/**
 * The weather dataset: hourly weather per location (Open-Meteo).
 * @module
 */
import type {} from "@pipeline/datasets/weather/tables.ts";
import type pl from "nodejs-polars";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import {
  FORECAST_HORIZON_MS,
  validateWeather,
  WEATHER_EARLIEST,
} from "@pipeline/validate/weather.ts";
import { transformWeather } from "@pipeline/transform/weather.ts";
import {
  loadWeather,
  WEATHER_HOURLY,
  type WeatherBatch,
} from "@pipeline/load/weather.ts";
import { WEATHER_WINDOW_HOURS } from "@pipeline/transform/weather.ts";
import { WEATHER_VARIABLES } from "@pipeline/extract/openmeteo.ts";
import { readContext } from "@pipeline/incremental/context.ts";
import { keepFromSince } from "@pipeline/incremental/window.ts";
import { weatherChecks } from "@pipeline/datasets/weather/checks.ts";
import {
  WEATHER_BACKFILL_SOURCES,
  WEATHER_SOURCES,
} from "@pipeline/datasets/weather/sources.ts";

/**
 * The plausible hours: from 1940 (Open-Meteo's archive) to the forecast
 * horizon (16 days ahead). A record outside is quarantined on `ts`.
 */
export const WEATHER_LIMITS = {
  earliest: WEATHER_EARLIEST,
  futureToleranceMs: FORECAST_HORIZON_MS,
} as const;

/** Weather: validate, transform, load and snapshot of hourly weather. */
export const weatherDataset: Dataset<WeatherBatch> = {
  name: "weather",
  entityColumn: "location",
  tables: [{ name: "weather_hourly", dateColumn: "ts" }],
  sources: WEATHER_SOURCES,
  ownOf: ["openmeteo"],
  backfillSources: WEATHER_BACKFILL_SOURCES,
  validate: (raw, { now }) => validateWeather(raw, { now, ...WEATHER_LIMITS }),
  transform(valid) {
    const { weather, duplicates } = transformWeather(valid);
    return {
      batch: { weather },
      rows: weather.height,
      duplicates,
      dates: utcDates(weather),
    };
  },
  checks: weatherChecks(),
  withoutEntities: (transformed, entities) =>
    mapWeather(
      transformed,
      (f) => withoutValues(f, "location", entities),
    ),
  load: (tx, batch, options) => loadWeather(tx, batch, options),
  resource: WEATHER_HOURLY,
  primary: (batch) => batch.weather,
  // The 24-hour window of the derived mean and sum.
  context: (client, since, valid) =>
    readContext(client, since, {
      table: "weather_hourly",
      entity: "location",
      time: "ts",
      values: WEATHER_VARIABLES,
      rows: WEATHER_WINDOW_HOURS,
      like: valid,
    }),
  trim(transformed, since) {
    if (since.size === 0) return transformed;
    return mapWeather(
      transformed,
      (f) => keepFromSince(f, since, { entity: "location" }),
    );
  },
};

/** The batch with `fn` applied to its frame, counts redone. */
function mapWeather(
  transformed: Transformed<WeatherBatch>,
  fn: (frame: pl.DataFrame) => pl.DataFrame,
): Transformed<WeatherBatch> {
  const weather = fn(transformed.batch.weather);
  return {
    ...transformed,
    batch: { weather },
    rows: weather.height,
    dates: utcDates(weather),
  };
}
