/**
 * What every extract source offers the run loop: independently fetchable
 * partitions, each producing the raw frame of its dataset.
 * @module
 */
import type pl from "nodejs-polars";

/** One independently-fetchable slice of a source: a symbol or location and a time window. */
export interface SourcePartition {
  /** Unique within its source: `IBM 2026-11`, `berlin 2026-11-01..2026-11-08`. */
  readonly name: string;
  /**
   * The raw frame of this slice. Throws an `EtlError` (stage `extract`,
   * partition = {@link SourcePartition.name}, `transient` per cause) when it
   * fails; other partitions are unaffected.
   */
  extract(signal?: AbortSignal): Promise<pl.DataFrame>;
  /**
   * The entity (symbol, location) this slice covers, when it covers one:
   * the partition of its watermark.
   */
  readonly entity?: string;
}

/** What the run loop asks of {@link Source.partitions}. */
export interface PartitionOptions {
  /**
   * Incremental windows: per entity, the instant from which data is wanted
   * (the watermark minus the lag). A source with `incremental: true` returns
   * for such an entity only records at or after it (half-open windows
   * `[since, end)`); entities not in the map get the configured window.
   */
  since?: ReadonlyMap<string, Date>;
}

/** A source of raw frames, split into partitions. */
export interface Source {
  /** `alphavantage`, `finnhub`, `openmeteo`, ... */
  readonly name: string;
  /**
   * The name of the dataset (in `@pipeline/datasets/registry.ts`) whose raw
   * frame the partitions produce.
   */
  readonly dataset: string;
  /**
   * Whether {@link Source.partitions} honours `since` (the incremental
   * window) exactly. Sources without it (a file, whole-month responses,
   * replays) are loaded whole; the merge keeps re-runs idempotent.
   */
  readonly incremental?: boolean;
  /**
   * The configured window start (`--start`), if any: with `incremental`, a
   * lower bound of every partition's window.
   */
  readonly start?: Date | undefined;
  /** The partitions to extract, in a stable order. */
  partitions(options?: PartitionOptions): SourcePartition[];
}
