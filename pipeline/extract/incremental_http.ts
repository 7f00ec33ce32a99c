/**
 * HTTP sources as a run uses them: the collaborators a run configuration
 * gives them, and a source per entity that honours incremental windows
 * under one shared rate limiter.
 * @module
 */
import type { Source } from "@pipeline/extract/source.ts";
import type { SourceDeps } from "@pipeline/extract/source_deps.ts";
import type { HttpSourceDeps } from "@pipeline/extract/http/source_deps.ts";
import { tokenBucket } from "@pipeline/extract/http/token_bucket.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import type { RunConfig } from "@pipeline/config.ts";

/**
 * The collaborators of a run's HTTP source: the run's clock, the `.env`
 * file, raw landing under `<dataDir>/raw` unless `--no-raw-landing`, and
 * the overrides of `deps.http`.
 */
export function httpDepsFor(
  config: RunConfig,
  deps: SourceDeps,
): HttpSourceDeps {
  return {
    clock: deps.clock,
    dotenv: ".env",
    ...(config.rawLanding
      ? { rawLanding: rawLanding({ dataDir: config.dataDir }) }
      : {}),
    ...deps.http,
  };
}

/** Options of {@link incrementalHttp}. */
export interface IncrementalHttpOptions {
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
export function incrementalHttp(options: IncrementalHttpOptions): Source {
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
