/**
 * The sources of weather: Open-Meteo, for a run and a backfill.
 * @module
 */
import type {
  EntitySourceFactory,
  SourceFactory,
} from "@pipeline/datasets/dataset.ts";
import {
  OpenMeteoConfigSchema,
  openMeteoFormat,
  openMeteoSource,
} from "@pipeline/extract/openmeteo.ts";
import { incrementalHttp } from "@pipeline/extract/incremental_http.ts";
import {
  defaultRate,
  httpBackfillSource,
  httpRunSource,
} from "@pipeline/datasets/http_sources.ts";

/** The run's sources of weather. */
export const WEATHER_SOURCES: Readonly<Record<string, SourceFactory>> = {
  openmeteo: httpRunSource(openMeteoFormat, (config, window, http) => {
    const locations = new Map(config.locations.map((l) => [l.name, l]));
    return incrementalHttp({
      entities: [...locations.keys()],
      ...window,
      http,
      rate: defaultRate(OpenMeteoConfigSchema.shape),
      make: (name, window, deps) =>
        openMeteoSource({
          locations: [locations.get(name)!],
          ...window,
          endpoint: config.endpoint,
        }, deps),
    });
  }),
};

/** The backfill sources of weather: a location and a UTC day at a time. */
export const WEATHER_BACKFILL_SOURCES: Readonly<
  Record<string, EntitySourceFactory>
> = {
  openmeteo: httpBackfillSource({
    engine: "openmeteo",
    dataset: "weather",
    format: openMeteoFormat,
    entities: (config) => config.locations.map((l) => l.name),
    narrow: (config, name) => ({
      ...config,
      locations: config.locations.filter((l) => l.name === name),
    }),
    run: WEATHER_SOURCES.openmeteo!,
  }),
};
