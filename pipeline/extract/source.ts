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
}

/** A source of raw frames, split into partitions. */
export interface Source {
  /** `alphavantage`, `finnhub`, `openmeteo`, ... */
  readonly name: string;
  /**
   * `bars`: the raw frame of `@pipeline/bars.ts`. `weather`: the raw weather
   * frame of `@pipeline/extract/openmeteo.ts`. `symbols`: the raw reference
   * frame of `@pipeline/symbols.ts`.
   */
  readonly dataset: "bars" | "weather" | "symbols";
  /** The partitions to extract, in a stable order. */
  partitions(): SourcePartition[];
}
