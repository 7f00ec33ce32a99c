/**
 * Derived assets: warehouse data computed from an upstream fact table, in
 * SQL, inside the load's transaction, after the upstream's merge, for the
 * part of the upstream the batch touched (see `@pipeline/load/derive.ts`).
 * Because they are recomputed from the warehouse rather than from the batch
 * in hand, a correction, a partial or reordered batch, or a re-send gives
 * the same tables as one load of all the data.
 *
 * Two kinds:
 * - {@link AggregateAsset}: a table of clock-aligned buckets of the
 *   upstream (`bars_5m` from `bars_1m`), one row per (entity, bucket).
 * - {@link WindowAsset}: columns of the upstream itself computed with window
 *   functions over its neighbours (returns, moving averages, session VWAP).
 *
 * The SQL fragments of a declaration are code written with the dataset,
 * never input; names are checked as identifiers before use.
 * @module
 */
import type pl from "nodejs-polars";

/** The upstream of a derived asset: a fact table keyed by (entity, time). */
export interface Upstream {
  /** Table name. */
  readonly name: string;
  /** The entity column of its key (symbol). */
  readonly entity: string;
  /** The timestamptz column of its key. */
  readonly time: string;
}

/**
 * A table of buckets of the upstream: each row aggregates the upstream rows
 * of one entity whose time falls in `[bucket, bucket + everyMs)`, buckets
 * aligned to the Unix epoch (UTC). The table has the upstream's key column
 * names, the `columns` and `load_id`.
 */
export interface AggregateAsset {
  readonly kind: "aggregate";
  /** The derived table (range-partitioned by time like its upstream). */
  readonly table: string;
  readonly upstream: Upstream;
  /** Bucket width in milliseconds: 5 minutes, an hour, a UTC day. */
  readonly everyMs: number;
  /**
   * Each value column of the table and its aggregate over upstream
   * columns, e.g. `close: "(array_agg(close ORDER BY ts DESC))[1]"`.
   * Ordered aggregates keep float sums deterministic.
   */
  readonly columns: Readonly<Record<string, string>>;
  /**
   * The same table computed from upstream rows that are the whole history
   * of their entities (a first load): the key columns and `columns`, equal
   * to the SQL's to the last bit. With it, `deriveAssets()` writes an
   * entity the warehouse held no rows of straight from the batch (COPY)
   * instead of aggregating it again in SQL.
   */
  readonly fromBatch?: (rows: pl.DataFrame) => pl.DataFrame;
}

/**
 * Columns of the upstream computed by window functions over each entity's
 * rows in time order. Expressions may use three named windows:
 * - `w`: the entity's rows ordered by time (for `lag()`);
 * - `m`: `w` framed to the current row and the `lookback` rows before it
 *   (moving sums, added oldest first);
 * - `p`: the rows of the same period ordered by time, framed from the
 *   period's start to the current row (cumulative sums reset each period).
 *
 * A changed upstream row changes its own values, those of the `lookback`
 * rows after it (they read it through `lag`) and those of the rest of its
 * period (cumulative columns), so that is what is recomputed.
 */
export interface WindowAsset {
  readonly kind: "window";
  readonly upstream: Upstream;
  /** The most rows before the current one any expression reads (≥ 0). */
  readonly lookback: number;
  /** The period of the cumulative columns, as SQL over a timestamptz. */
  readonly period: {
    /** The start of the period of the timestamptz expression `t`. */
    start(t: string): string;
    /** The end (excluded) of the period of `t`. */
    end(t: string): string;
  };
  /** Each derived column of the upstream and its window expression. */
  readonly columns: Readonly<Record<string, string>>;
  /**
   * A stored value within this relative distance of the recomputed one is
   * kept (the batch's transform and SQL may sum in different orders).
   * Default 1e-12.
   */
  readonly tolerance?: number;
}

/** A derived asset of either kind. */
export type DerivedAsset = AggregateAsset | WindowAsset;

/** The name of the table an asset writes. */
export function assetTable(asset: DerivedAsset): string {
  return asset.kind === "aggregate" ? asset.table : asset.upstream.name;
}
