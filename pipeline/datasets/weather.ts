/**
 * The weather dataset: hourly weather per location (Open-Meteo).
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import { validateWeather } from "@pipeline/validate/weather.ts";
import { transformWeather } from "@pipeline/transform/weather.ts";
import { loadWeather, type WeatherBatch } from "@pipeline/load/weather.ts";
import { weatherChecks } from "@pipeline/quality/weather_checks.ts";

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
  checks: weatherChecks(),
  withoutEntities(transformed, entities) {
    const weather = withoutValues(
      transformed.batch.weather,
      "location",
      entities,
    );
    return {
      ...transformed,
      batch: { weather },
      rows: weather.height,
      dates: utcDates(weather),
    };
  },
  load: (tx, batch, { loadId }) => loadWeather(tx, batch, { loadId }),
};
