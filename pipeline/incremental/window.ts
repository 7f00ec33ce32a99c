/**
 * Incremental windows: from each partition's watermark, the instant from
 * which a run asks for data again, and the trimming of derived frames back
 * to those windows.
 *
 * Windows are half-open `[since, end)` in UTC. `since` is the watermark
 * minus the lag (the lookback that re-reads late and corrected records), or
 * the configured start when later, rounded down to the hour so that every
 * 5-minute and hourly bucket at or after it is recomputed from whole data.
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";

const HOUR_MS = 3_600_000;

/** Options of {@link incrementalSince}. */
export interface SinceOptions {
  /** The lookback below the watermark, ms. */
  lagMs: number;
  /** The source's partitions (entities); default the watermarks' ones. */
  entities?: readonly string[];
  /** The configured window start, a lower bound for every entity. */
  start?: Date | undefined;
}

/**
 * Per partition, where the next incremental window starts:
 * `floor_hour(max(watermark - lag, start))`; a partition with neither a
 * watermark nor a configured start has no window (a first, whole load).
 *
 * @example
 * ```ts
 * import { incrementalSince } from "@pipeline/incremental/window.ts";
 * const since = incrementalSince(
 *   new Map([["AAPL", new Date("2026-11-20T20:59:00Z")]]),
 *   { lagMs: 30 * 60_000 },
 * );
 * since.get("AAPL")?.toISOString(); // "2026-11-20T20:00:00.000Z"
 * ```
 */
export function incrementalSince(
  watermarks: ReadonlyMap<string, Date>,
  options: SinceOptions,
): Map<string, Date> {
  const since = new Map<string, Date>();
  const start = options.start?.getTime() ?? -Infinity;
  for (const entity of options.entities ?? [...watermarks.keys()]) {
    const mark = watermarks.get(entity);
    const ms = Math.max(
      mark ? mark.getTime() - options.lagMs : -Infinity,
      start,
    );
    if (!Number.isFinite(ms)) continue;
    since.set(entity, new Date(Math.floor(ms / HOUR_MS) * HOUR_MS));
  }
  return since;
}

/**
 * The windows a run asks `source` for: {@link incrementalSince} of its
 * partitions' entities from `watermarks` (none: a first load) when the run
 * is incremental with `lagMs` and the source honours windows, else none
 * (the whole configured window).
 */
export function sourceWindows(
  source: Pick<Source, "incremental" | "partitions" | "start">,
  watermarks: ReadonlyMap<string, Date>,
  incremental: { lagMs: number } | false | null | undefined,
): Map<string, Date> {
  if (!incremental || !source.incremental) return new Map();
  return incrementalSince(watermarks, {
    lagMs: incremental.lagMs,
    entities: source.partitions().flatMap((p) => p.entity ? [p.entity] : []),
    start: source.start,
  });
}

/** Whether two sets of windows are the same (entity by entity). */
export function sameWindows(
  a: ReadonlyMap<string, Date>,
  b: ReadonlyMap<string, Date>,
): boolean {
  return a.size === b.size &&
    [...a].every(([entity, since]) =>
      b.get(entity)?.getTime() === since.getTime()
    );
}

/** Options of {@link keepFromSince}. */
export interface KeepOptions {
  /** The entity column (symbol, location). */
  entity: string;
  /** The UTC Datetime column. Default `ts`. */
  time?: string;
}

/**
 * The rows of `frame` at or after their entity's `since`; entities without
 * one are kept whole. Columnar: one small join and a filter.
 */
export function keepFromSince(
  frame: pl.DataFrame,
  since: ReadonlyMap<string, Date>,
  options: KeepOptions,
): pl.DataFrame {
  const { entity, time = "ts" } = options;
  if (since.size === 0 || frame.height === 0) return frame;
  const bounds = pl.DataFrame({
    [entity]: [...since.keys()],
    __since: [...since.values()].map((d) => d.getTime()),
  }).withColumns(pl.col("__since").cast(pl.Datetime("ms", "UTC")));
  return frame
    .join(bounds, { on: entity, how: "left" })
    .filter(
      pl.col("__since").isNull().or(pl.col(time).gtEq(pl.col("__since"))),
    )
    .drop("__since");
}
