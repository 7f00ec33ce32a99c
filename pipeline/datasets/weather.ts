/**
 * The weather dataset: hourly weather per location (Open-Meteo).
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { utcDates } from "@pipeline/datasets/dataset.ts";
import { validateWeather } from "@pipeline/validate/weather.ts";
import { transformWeather } from "@pipeline/transform/weather.ts";
import {
  loadWeather,
  WEATHER_HOURLY,
  type WeatherBatch,
} from "@pipeline/load/weather.ts";
import { WEATHER_WINDOW_HOURS } from "@pipeline/transform/weather.ts";
import { WEATHER_VARIABLES } from "@pipeline/extract/openmeteo.ts";
import { keepFromSince, readContext } from "@pipeline/incremental/mod.ts";

/** Weather: validate, transform, load and snapshot of hourly weather. */
export const weatherDataset: Dataset<WeatherBatch> = {
  name: "weather",
  entityColumn: "location",
  tables: [{ name: "weather_hourly", dateColumn: "ts" }],
  validate: (raw, { now }) => validateWeather(raw, { now }),
  transform(valid) {
    const { weather, duplicates } = transformWeather(valid);
    return {
      batch: { weather },
      rows: weather.height,
      duplicates,
      dates: utcDates(weather),
    };
  },
  load: (tx, batch, { loadId }) => loadWeather(tx, batch, { loadId }),
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
      dayStart: false,
      like: valid,
    }),
  trim(transformed, since) {
    if (since.size === 0) return transformed;
    const weather = keepFromSince(transformed.batch.weather, since, {
      entity: "location",
    });
    return {
      ...transformed,
      batch: { weather },
      rows: weather.height,
      dates: utcDates(weather),
    };
  },
};
