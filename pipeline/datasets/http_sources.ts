/**
 * Source factories of HTTP engines, written once for every dataset: a run
 * source (the landed responses replayed with `--from-raw`, else live
 * requests over the run's window), a backfill source (the same replay, or
 * the run source for one entity and window at a time) and an engine's
 * default request rate.
 * @module
 */
import type {
  EntitySourceFactory,
  SourceFactory,
} from "@pipeline/datasets/dataset.ts";
import type { RunConfig } from "@pipeline/config.ts";
import type { Source } from "@pipeline/extract/source.ts";
import type { HttpSourceDeps } from "@pipeline/extract/http/source_deps.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { windowFor } from "@pipeline/extract/run_window.ts";
import { httpDepsFor } from "@pipeline/extract/incremental_http.ts";
import {
  replayEntitySource,
  windowedEntitySource,
} from "@pipeline/extract/entity_source.ts";

/** A run's window of data. */
export interface RunWindow {
  start: Date;
  end: Date;
}

/**
 * The run source of an HTTP engine: with `--from-raw` the replay of its
 * landed responses in `format`, else `live` over the run's window
 * (`windowFor()`) with the run's HTTP collaborators (`httpDepsFor()`).
 */
export function httpRunSource(
  format: RawFormat,
  live: (config: RunConfig, window: RunWindow, http: HttpSourceDeps) => Source,
): SourceFactory {
  return (config, deps) =>
    config.fromRaw
      ? rawLandingSource({
        dataDir: config.dataDir,
        source: format,
        date: config.rawDate,
      })
      : live(
        config,
        windowFor(config, deps.clock.now()),
        httpDepsFor(config, deps),
      );
}

/** Options of {@link httpBackfillSource}. */
export interface HttpBackfillOptions {
  /** The source engine's name (`--source`). */
  engine: string;
  /** The dataset the frames are of. */
  dataset: string;
  /** How the engine's responses were landed, for `--from-raw`. */
  format: RawFormat;
  /** The partitions to backfill: the configured symbols, locations. */
  entities: (config: RunConfig) => readonly string[];
  /** The run configuration narrowed to one entity. */
  narrow: (config: RunConfig, entity: string) => RunConfig;
  /** The engine's run source, built for one entity and window per chunk. */
  run: SourceFactory;
}

/**
 * The backfill source of an HTTP engine: with `--from-raw` a replay of its
 * landed responses, else its run source for one entity and one window at a
 * time (a window, never a `--month`).
 */
export function httpBackfillSource(
  options: HttpBackfillOptions,
): EntitySourceFactory {
  const { engine, dataset, format, run } = options;
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
      dataset,
      entities: options.entities(config),
      sourceFor: (entity, window) => {
        const one: RunConfig = {
          ...options.narrow(config, entity),
          start: window.start,
          end: window.end,
        };
        delete one.month;
        return run(one, deps);
      },
    });
  };
}

/** A configuration field with a default (a zod schema's field). */
interface Defaulted {
  parse(value: undefined): number;
}

/**
 * The request rate an engine's configuration schema defaults to: its
 * `requestsPerMinute` and `burst` fields parsed from nothing.
 */
export function defaultRate(
  shape: { requestsPerMinute: Defaulted; burst: Defaulted },
): { requestsPerMinute: number; burst: number } {
  return {
    requestsPerMinute: shape.requestsPerMinute.parse(undefined),
    burst: shape.burst.parse(undefined),
  };
}
