/**
 * Builds the configured source. Each source is a list of partitions that are
 * extracted independently, so one failing partition does not stop the others.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { readBarFile } from "@pipeline/extract/file.ts";
import { readSymbolFile } from "@pipeline/extract/symbol_file.ts";
import { syntheticSymbols } from "@pipeline/datasets/symbols/synthetic.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  alphaVantageMonthWindow,
  alphaVantageSource,
} from "@pipeline/extract/alphavantage.ts";
import {
  FinnhubConfigSchema,
  finnhubSource,
} from "@pipeline/extract/finnhub.ts";
import {
  OpenMeteoConfigSchema,
  openMeteoSource,
} from "@pipeline/extract/openmeteo.ts";
import { tokenBucket } from "@pipeline/extract/http/token_bucket.ts";
import type { HttpSourceDeps } from "@pipeline/extract/http/source_deps.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { type RunConfig, SOURCE_DATASETS } from "@pipeline/config.ts";
import { type Clock, fixedClock } from "@pipeline/clock.ts";
import type { EntitySource } from "@pipeline/incremental/backfill.ts";
import pl from "nodejs-polars";

/** What a source may need from outside. */
export interface SourceDeps {
  clock: Clock;
  /** Overrides for the HTTP sources (tests hand in fetch, sleep, env). */
  http?: Partial<HttpSourceDeps>;
}

const DAY_MS = 86_400_000;

/**
 * The window [start, end) of an HTTP source: `--start/--end`, else
 * `--month` (for Alpha Vantage its US/Eastern month), else the last 7 UTC
 * days up to today's midnight (Alpha Vantage: the current month).
 */
export function windowFor(
  config: RunConfig,
  now: Date,
): { start: Date; end: Date } {
  if (config.month) {
    if (config.source === "alphavantage") {
      return alphaVantageMonthWindow(config.month);
    }
    const [y, m] = config.month.split("-").map(Number) as [number, number];
    return {
      start: new Date(Date.UTC(y, m - 1, 1)),
      end: new Date(Date.UTC(y, m, 1)),
    };
  }
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  if (config.source === "alphavantage" && !config.start && !config.end) {
    return alphaVantageMonthWindow(now.toISOString().slice(0, 7));
  }
  const end = config.end ?? new Date(today + DAY_MS);
  const start = config.start ?? new Date(end.getTime() - 7 * DAY_MS);
  return { start, end };
}

/**
 * The reference-data source of `--dataset symbols`: one partition holding the
 * full reference (of the synthetic source's symbols, or of the input file).
 */
function symbolSource(config: RunConfig): Source {
  if (config.source === "file") {
    const path = config.input!;
    return {
      name: "file",
      dataset: "symbols",
      partitions: () => [{ name: path, extract: () => readSymbolFile(path) }],
    };
  }
  if (config.source !== "synthetic") {
    throw new EtlError(`--dataset symbols is not offered by ${config.source}`, {
      stage: "config",
    });
  }
  return {
    name: "synthetic",
    dataset: "symbols",
    partitions: () => [{
      name: "symbols",
      extract: () =>
        Promise.resolve(
          syntheticSymbols({ symbols: config.symbols, seed: config.seed }),
        ),
    }],
  };
}

/** The source `config` names. Throws an `EtlError` (stage config) on bad setup. */
export async function sourceFor(
  config: RunConfig,
  deps: SourceDeps,
): Promise<Source> {
  if (config.dataset === "symbols") return symbolSource(config);
  switch (config.source) {
    case "synthetic":
      return {
        name: "synthetic",
        dataset: "bars",
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
      };
    case "file": {
      const path = config.input!;
      return {
        name: "file",
        dataset: "bars",
        partitions: () => [{ name: path, extract: () => readBarFile(path) }],
      };
    }
  }
  if (config.fromRaw) {
    return await rawLandingSource({
      dataDir: config.dataDir,
      source: config.source,
      date: config.rawDate,
    });
  }
  const http: HttpSourceDeps = {
    clock: deps.clock,
    dotenv: ".env",
    ...(config.rawLanding
      ? { rawLanding: rawLanding({ dataDir: config.dataDir }) }
      : {}),
    ...deps.http,
  };
  const { start, end } = windowFor(config, deps.clock.now());
  switch (config.source) {
    case "alphavantage":
      return alphaVantageSource({ symbols: config.symbols, start, end }, http);
    case "finnhub":
      return incrementalHttp({
        entities: config.symbols,
        start,
        end,
        http,
        rate: {
          requestsPerMinute: FinnhubConfigSchema.shape.requestsPerMinute
            .parse(undefined),
          burst: FinnhubConfigSchema.shape.burst.parse(undefined),
        },
        make: (symbol, window, deps) =>
          finnhubSource({ symbols: [symbol], ...window }, deps),
      });
    case "openmeteo": {
      const locations = new Map(config.locations.map((l) => [l.name, l]));
      return incrementalHttp({
        entities: [...locations.keys()],
        start,
        end,
        http,
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
    }
  }
}

/** Options of {@link incrementalHttp}. */
interface IncrementalHttpOptions {
  /** The source's partitions (symbols, location names), in order. */
  entities: readonly string[];
  /** The configured window. */
  start: Date;
  end: Date;
  http: HttpSourceDeps;
  /** The provider's published rate, shared by every entity's requests. */
  rate: { requestsPerMinute: number; burst: number };
  /** The source of one entity over a window. */
  make: (
    entity: string,
    window: { start: Date; end: Date },
    deps: HttpSourceDeps,
  ) => Source;
}

/**
 * An HTTP source that honours incremental windows: one source per entity,
 * built over `[since, end)` when the run gives the entity a window after the
 * configured start, all sharing one rate limiter (the provider's limit is
 * per key, not per symbol). Every source is built up front, so bad
 * configuration (a missing key) fails before any request.
 */
function incrementalHttp(options: IncrementalHttpOptions): Source {
  const { entities, start, end, http, make } = options;
  const limiter = http.limiter ??
    tokenBucket({ ...options.rate, clock: http.clock, sleep: http.sleep });
  const deps: HttpSourceDeps = { ...http, limiter };
  const whole = new Map(
    entities.map((e) => [e, make(e, { start, end }, deps)] as const),
  );
  const first = whole.values().next().value as Source;
  return {
    name: first.name,
    dataset: first.dataset,
    incremental: true,
    start,
    partitions: (partitionOptions) =>
      entities.flatMap((entity) => {
        const since = partitionOptions?.since?.get(entity);
        if (since && since.getTime() >= end.getTime()) return [];
        const source = since && since.getTime() > start.getTime()
          ? make(entity, { start: since, end }, deps)
          : whole.get(entity)!;
        return source.partitions().map((p) => ({ ...p, entity }));
      }),
  };
}

/**
 * The configured source read one partition and window at a time, for a
 * backfill: synthetic, the HTTP sources, or `--from-raw` replays (the
 * partitions' landed responses, without any network).
 *
 * @throws EtlError (stage config) for the file source, whose rows are not
 *   split by partition: load a file with `run`.
 */
export async function entitySourceFor(
  config: RunConfig,
  deps: SourceDeps,
): Promise<EntitySource> {
  if (config.source === "file") {
    throw new EtlError(
      "backfill needs a source with partitions (synthetic, alphavantage, finnhub, openmeteo); load a file with the run command",
      { stage: "config" },
    );
  }
  const own = SOURCE_DATASETS[config.source][0];
  if (config.dataset !== own) {
    throw new EtlError(
      `backfill loads the source's own dataset (${config.source}: ${own}); load --dataset ${config.dataset} with the run command`,
      { stage: "config" },
    );
  }
  if (config.source === "synthetic") {
    return {
      name: "synthetic",
      dataset: "bars",
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
    };
  }
  const concat = (frames: pl.DataFrame[]) =>
    frames.length ? pl.concat(frames, { how: "vertical" }) : pl.DataFrame({});
  if (config.fromRaw) {
    const raw = await rawLandingSource({
      dataDir: config.dataDir,
      source: config.source,
      date: config.rawDate,
    });
    const parts = raw.partitions();
    const entities = [
      ...new Set(parts.flatMap((p) => (p.entity ? [p.entity] : []))),
    ].sort();
    return {
      name: raw.name,
      dataset: raw.dataset,
      entities,
      async extract(entity, _window, signal) {
        const frames: pl.DataFrame[] = [];
        for (const p of parts.filter((p) => p.entity === entity)) {
          frames.push(await p.extract(signal));
        }
        return concat(frames);
      },
    };
  }
  const locations = new Map(config.locations.map((l) => [l.name, l]));
  const entities = config.source === "openmeteo"
    ? [...locations.keys()]
    : config.symbols;
  const dataset = config.source === "openmeteo" ? "weather" : "bars";
  return {
    name: config.source,
    dataset,
    entities,
    async extract(entity, window, signal) {
      const one: RunConfig = {
        ...config,
        symbols: [entity],
        locations: locations.has(entity) ? [locations.get(entity)!] : [],
        start: window.start,
        end: window.end,
      };
      delete one.month;
      const source = await sourceFor(one, deps);
      const frames: pl.DataFrame[] = [];
      for (const p of source.partitions()) frames.push(await p.extract(signal));
      return concat(frames);
    },
  };
}
