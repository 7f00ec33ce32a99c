/**
 * The sources of weather: Open-Meteo, for a run and a backfill.
 * @module
 */
import type {
  EntitySourceFactory,
  SourceFactory,
} from "@pipeline/datasets/dataset.ts";
import type { RunConfig } from "@pipeline/config.ts";
import {
  OpenMeteoConfigSchema,
  openMeteoFormat,
  openMeteoSource,
} from "@pipeline/extract/openmeteo.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { windowFor } from "@pipeline/extract/run_window.ts";
import {
  httpDepsFor,
  incrementalHttp,
} from "@pipeline/extract/incremental_http.ts";
import {
  replayEntitySource,
  windowedEntitySource,
} from "@pipeline/extract/entity_source.ts";

/** The run's sources of weather. */
export const WEATHER_SOURCES: Readonly<Record<string, SourceFactory>> = {
  openmeteo: (config, deps) => {
    if (config.fromRaw) {
      return rawLandingSource({
        dataDir: config.dataDir,
        source: openMeteoFormat,
        date: config.rawDate,
      });
    }
    const { start, end } = windowFor(config, deps.clock.now());
    const locations = new Map(config.locations.map((l) => [l.name, l]));
    return incrementalHttp({
      entities: [...locations.keys()],
      start,
      end,
      http: httpDepsFor(config, deps),
      rate: {
        requestsPerMinute: OpenMeteoConfigSchema.shape.requestsPerMinute
          .parse(undefined),
        burst: OpenMeteoConfigSchema.shape.burst.parse(undefined),
      },
      make: (name, window, deps) =>
        openMeteoSource({
          locations: [locations.get(name)!],
          ...window,
          endpoint: config.endpoint,
        }, deps),
    });
  },
};

/** The backfill sources of weather: a location and a UTC day at a time. */
export const WEATHER_BACKFILL_SOURCES: Readonly<
  Record<string, EntitySourceFactory>
> = {
  openmeteo: (config, deps) => {
    if (config.fromRaw) {
      return replayEntitySource({
        dataDir: config.dataDir,
        format: openMeteoFormat,
        date: config.rawDate,
      });
    }
    const locations = new Map(config.locations.map((l) => [l.name, l]));
    return windowedEntitySource({
      name: "openmeteo",
      dataset: "weather",
      entities: [...locations.keys()],
      sourceFor: (name, window) => {
        const one: RunConfig = {
          ...config,
          locations: [locations.get(name)!],
          start: window.start,
          end: window.end,
        };
        delete one.month;
        return WEATHER_SOURCES.openmeteo!(one, deps);
      },
    });
  },
};
