/**
 * Backfill sources built from run sources: one entity and window at a
 * time, or the entities of landed raw responses (`--from-raw`).
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import type { EntitySource } from "@pipeline/incremental/backfill.ts";
import type { RawFormat } from "@pipeline/extract/http/raw_format.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";

/** The frames one after the other (an empty frame for none). */
function concat(frames: pl.DataFrame[]): pl.DataFrame {
  return frames.length
    ? pl.concat(frames, { how: "vertical" })
    : pl.DataFrame({});
}

/** Options of {@link windowedEntitySource}. */
export interface WindowedEntitySourceOptions {
  /** The source engine's name. */
  name: string;
  /** The dataset the frames are of. */
  dataset: string;
  /** The partitions to backfill (symbols, locations). */
  entities: readonly string[];
  /** The run source of one entity over one window. */
  sourceFor: (
    entity: string,
    window: { start: Date; end: Date },
  ) => Source | Promise<Source>;
}

/**
 * A backfill source whose chunk is a run source of one entity and window:
 * every partition of it extracted and the frames concatenated.
 */
export function windowedEntitySource(
  options: WindowedEntitySourceOptions,
): EntitySource {
  return {
    name: options.name,
    dataset: options.dataset,
    entities: options.entities,
    async extract(entity, window, signal) {
      const source = await options.sourceFor(entity, window);
      const frames: pl.DataFrame[] = [];
      for (const p of source.partitions()) frames.push(await p.extract(signal));
      return concat(frames);
    },
  };
}

/**
 * A backfill source replaying landed responses (`--from-raw`): its
 * entities are those of the landed partitions (sorted), each chunk every
 * landed body of the entity (the backfill keeps the chunk's window).
 */
export async function replayEntitySource(options: {
  dataDir: string;
  format: RawFormat;
  date?: string | undefined;
}): Promise<EntitySource> {
  const raw = await rawLandingSource({
    dataDir: options.dataDir,
    source: options.format,
    date: options.date,
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
