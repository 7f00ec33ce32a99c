/**
 * The sources of bars: per source engine, the run's source and, where the
 * engine has partitions, the backfill's.
 * @module
 */
import type {
  EntitySourceFactory,
  SourceFactory,
} from "@pipeline/datasets/dataset.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";
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
import { incrementalHttp } from "@pipeline/extract/incremental_http.ts";
import {
  defaultRate,
  httpBackfillSource,
  httpRunSource,
} from "@pipeline/datasets/http_sources.ts";
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
  alphavantage: httpRunSource(
    alphaVantageFormat,
    (config, window, http) =>
      alphaVantageSource({ symbols: config.symbols, ...window }, http),
  ),
  finnhub: httpRunSource(
    finnhubFormat,
    (config, window, http) =>
      incrementalHttp({
        entities: config.symbols,
        ...window,
        http,
        rate: defaultRate(FinnhubConfigSchema.shape),
        make: (symbol, window, deps) =>
          finnhubSource({ symbols: [symbol], ...window }, deps),
      }),
  ),
};

/** The backfill source of an HTTP engine: a symbol at a time. */
const httpBackfill = (
  engine: "alphavantage" | "finnhub",
  format: RawFormat,
): EntitySourceFactory =>
  httpBackfillSource({
    engine,
    dataset: DATASET,
    format,
    entities: (config) => config.symbols,
    narrow: (config, symbol) => ({ ...config, symbols: [symbol] }),
    run: BARS_SOURCES[engine]!,
  });

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
