/**
 * The weather dataset: hourly weather per location (Open-Meteo).
 * @module
 */
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { utcDates } from "@pipeline/datasets/dataset.ts";
import { validateWeather } from "@pipeline/validate/weather.ts";
import { transformWeather } from "@pipeline/transform/weather.ts";
import { loadWeather, type WeatherBatch } from "@pipeline/load/weather.ts";

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
};
