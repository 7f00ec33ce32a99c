/**
 * A dataset is what the run loop needs to take raw frames of one kind
 * (bars, weather) through validate, transform, load and snapshot. Every
 * dataset has the same shape, so the run loop is written once.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { SnapshotTable } from "@pipeline/snapshot/lake.ts";

/** The output of a dataset's transform. */
export interface Transformed<B> {
  /** The frames to load. */
  batch: B;
  /** Unique valid records handed to the load (the `loaded` count). */
  rows: number;
  /** Exact duplicate records removed. */
  duplicates: number;
  /** The UTC dates (YYYY-MM-DD) the batch touches, for the snapshot. */
  dates: string[];
}

/** What a dataset's transform may use besides the valid frame. */
export interface TransformOptions {
  /** The run's "now" (`--as-of`). */
  now?: Date | undefined;
  /** The quarantine frame of the same validation. */
  quarantine?: pl.DataFrame | undefined;
}

/** What a dataset's load gets besides the batch. */
export interface LoadOptions {
  /** The run id, stored as `load_id` on every row written. */
  loadId: string;
  /** Where the lake lives (`<dataDir>/lake`), for loads that read it. */
  dataDir?: string | undefined;
}

/** The stages of one dataset. */
export interface Dataset<B> {
  /** Name, also stored with quarantined records. */
  readonly name: string;
  /** The raw-frame column naming a record's entity (symbol, location). */
  readonly entityColumn: string;
  /** The warehouse tables this dataset writes, for the snapshot. */
  readonly tables: readonly SnapshotTable[];
  /** Splits a raw frame into valid rows and quarantined records. */
  validate(
    raw: pl.DataFrame,
    options: { now: Date },
  ): { valid: pl.DataFrame; quarantine: pl.DataFrame };
  /** Derives the frames to load. */
  transform(valid: pl.DataFrame, options?: TransformOptions): Transformed<B>;
  /** Upserts the batch inside the caller's transaction. */
  load(
    tx: SqlClient,
    batch: B,
    options: LoadOptions,
  ): Promise<UpsertResult[]>;
}

/** The distinct UTC dates (YYYY-MM-DD) of a Datetime column, sorted. */
export function utcDates(frame: pl.DataFrame, column = "ts"): string[] {
  if (frame.height === 0) return [];
  const days = frame.select(
    pl.col(column).cast(pl.Int64).div(86_400_000).floor().unique().alias("d"),
  ).getColumn("d").toArray();
  return days.map((d) =>
    new Date(Number(d) * 86_400_000).toISOString().slice(0, 10)
  ).sort();
}
