/**
 * The sources of bars: per source engine, the run's source and, where the
 * engine has partitions, the backfill's.
 * @module
 */
import type {
  EntitySourceFactory,
  SourceFactory,
} from "@pipeline/datasets/dataset.ts";
import type { RunConfig } from "@pipeline/config.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { BAR_FILE_SCHEMA, readBarFile } from "@pipeline/extract/file.ts";
import { recordFileSource } from "@pipeline/extract/file_source.ts";
import {
  alphaVantageFormat,
  alphaVantageSource,
} from "@pipeline/extract/alphavantage.ts";
import {
  FinnhubConfigSchema,
  finnhubFormat,
  finnhubSource,
} from "@pipeline/extract/finnhub.ts";
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
import { fixedClock } from "@pipeline/clock.ts";

const DAY_MS = 86_400_000;

/** The dataset's name, as registered. */
const DATASET = "bars";

/** The run's sources of bars. */
export const BARS_SOURCES: Readonly<Record<string, SourceFactory>> = {
  synthetic: (config, deps) => ({
    name: "synthetic",
    dataset: DATASET,
    incremental: true,
    start: config.start,
    partitions: (options) =>
      config.symbols.map((symbol) => ({
        name: symbol,
        entity: symbol,
        extract: () =>
          Promise.resolve(syntheticBars({
            clock: deps.clock,
            symbols: [symbol],
            sessions: config.sessions,
            seed: config.seed,
            defectRate: config.defectRate,
            start: options?.since?.get(symbol) ?? config.start,
          })),
      })),
  }),
  file: (config, deps) =>
    recordFileSource(config, deps, {
      dataset: DATASET,
      schema: BAR_FILE_SCHEMA,
      read: readBarFile,
    }),
  alphavantage: (config, deps) => {
    if (config.fromRaw) {
      return rawLandingSource({
        dataDir: config.dataDir,
        source: alphaVantageFormat,
        date: config.rawDate,
      });
    }
    const { start, end } = windowFor(config, deps.clock.now());
    return alphaVantageSource(
      { symbols: config.symbols, start, end },
      httpDepsFor(config, deps),
    );
  },
  finnhub: (config, deps) => {
    if (config.fromRaw) {
      return rawLandingSource({
        dataDir: config.dataDir,
        source: finnhubFormat,
        date: config.rawDate,
      });
    }
    const { start, end } = windowFor(config, deps.clock.now());
    return incrementalHttp({
      entities: config.symbols,
      start,
      end,
      http: httpDepsFor(config, deps),
      rate: {
        requestsPerMinute: FinnhubConfigSchema.shape.requestsPerMinute
          .parse(undefined),
        burst: FinnhubConfigSchema.shape.burst.parse(undefined),
      },
      make: (symbol, window, deps) =>
        finnhubSource({ symbols: [symbol], ...window }, deps),
    });
  },
};

/**
 * The backfill source of an HTTP engine: a replay of its landed responses
 * (`--from-raw`), or its run source for one symbol and window at a time.
 */
function httpBackfill(
  engine: "alphavantage" | "finnhub",
  format: typeof alphaVantageFormat,
): EntitySourceFactory {
  return (config, deps) => {
    if (config.fromRaw) {
      return replayEntitySource({
        dataDir: config.dataDir,
        format,
        date: config.rawDate,
      });
    }
    return windowedEntitySource({
      name: engine,
      dataset: DATASET,
      entities: config.symbols,
      sourceFor: (symbol, window) => {
        const one: RunConfig = {
          ...config,
          symbols: [symbol],
          start: window.start,
          end: window.end,
        };
        delete one.month;
        return BARS_SOURCES[engine]!(one, deps);
      },
    });
  };
}

/** The backfill sources of bars: a symbol and a UTC day at a time. */
export const BARS_BACKFILL_SOURCES: Readonly<
  Record<string, EntitySourceFactory>
> = {
  synthetic: (config) => ({
    name: "synthetic",
    dataset: DATASET,
    entities: config.symbols,
    extract: (symbol, window) => {
      const days = Math.ceil(
        (window.end.getTime() - window.start.getTime()) / DAY_MS,
      );
      return Promise.resolve(syntheticBars({
        clock: fixedClock(new Date(window.end.getTime() - 1)),
        symbols: [symbol],
        sessions: days,
        seed: config.seed,
        defectRate: config.defectRate,
        start: window.start,
      }));
    },
  }),
  alphavantage: httpBackfill("alphavantage", alphaVantageFormat),
  finnhub: httpBackfill("finnhub", finnhubFormat),
};
