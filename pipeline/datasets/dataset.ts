/**
 * A dataset is what the run loop needs to take raw frames of one kind
 * (bars, weather) through validate, transform, load and snapshot. Every
 * dataset has the same shape, so the run loop is written once.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { ResourceSpec } from "@pipeline/load/resource.ts";
import type { SnapshotTable } from "@pipeline/snapshot/lake.ts";
import type { QualityCheck } from "@pipeline/quality/check.ts";
import type { DerivedAsset } from "@pipeline/load/derived_asset.ts";
import type { Source } from "@pipeline/extract/source.ts";
import type { SourceDeps } from "@pipeline/extract/source_deps.ts";
import type { EntitySource } from "@pipeline/incremental/backfill.ts";
import type { RunConfig } from "@pipeline/config.ts";

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
  /** The source, recorded with schema changes (new fields). */
  source?: string | undefined;
  /** Told the rows of each COPY chunk sent (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

/**
 * A table of a dataset in the lake: its snapshot layout (date column,
 * partition granularity) and the key a snapshot diff joins on.
 */
export interface LakeTable extends SnapshotTable {
  /** Columns unique per row. Default: the dataset's `resource.primaryKey`. */
  readonly key?: readonly string[];
  /**
   * Columns a snapshot diff does not compare besides `load_id` (values
   * that change without the data changing). Default none.
   */
  readonly diffIgnore?: readonly string[];
}

/**
 * The source of a run of a dataset from one source engine (`--source`),
 * built from the validated run configuration. Throws an `EtlError` (stage
 * config) on bad setup.
 */
export type SourceFactory = (
  config: RunConfig,
  deps: SourceDeps,
) => Source | Promise<Source>;

/**
 * The source of a backfill of a dataset from one source engine: read one
 * partition and window at a time.
 */
export type EntitySourceFactory = (
  config: RunConfig,
  deps: SourceDeps,
) => EntitySource | Promise<EntitySource>;

/**
 * One side of a dataset fed by several stream subjects: its messages come
 * on `<prefix>.raw.<subject>` and reach the dataset with the field `side`
 * set to `subject`; a producer splitting records of dataset `from` into
 * sides publishes, per record, one message per side with `fields` (message
 * field to the source record's field).
 */
export interface StreamSide {
  readonly subject: string;
  readonly from: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The stages of one dataset. */
export interface Dataset<B> {
  /** Name, also stored with quarantined records. */
  readonly name: string;
  /** The raw-frame column naming a record's entity (symbol, location). */
  readonly entityColumn: string;
  /**
   * The warehouse tables this dataset writes, as the lake holds them
   * (snapshot, lake debt, retention, diffs, reset).
   */
  readonly tables: readonly LakeTable[];
  /**
   * The source engines (`--source` names) that deliver this dataset, each
   * with the factory of a run's source.
   */
  readonly sources: Readonly<Record<string, SourceFactory>>;
  /**
   * The source engines whose own dataset this is: the one a run of the
   * engine loads when no `--dataset` is given. Each engine has exactly one
   * own dataset over the registry. Default none.
   */
  readonly ownOf?: readonly string[];
  /**
   * The source engines that can backfill this dataset (a partition and a
   * day at a time), each with its factory. Default none.
   */
  readonly backfillSources?: Readonly<Record<string, EntitySourceFactory>>;
  /**
   * The primary resource: its entity column names the watermark's
   * partition and its cursor the watermark's value.
   */
  readonly resource: ResourceSpec;
  /**
   * The frame of the primary resource in a batch, whose newest cursor per
   * entity advances the watermarks; null for a dataset without them.
   */
  primary(batch: B): pl.DataFrame | null;
  /**
   * Warehouse rows before each entity's incremental window start that the
   * transform needs (shaped like `valid`). Absent for a dataset whose
   * derived data is recomputed from the warehouse in the load (`derived`).
   */
  context?(
    client: SqlClient,
    since: ReadonlyMap<string, Date>,
    valid: pl.DataFrame,
  ): Promise<pl.DataFrame>;
  /**
   * The transformed batch without rows before each entity's window start
   * (the context rows); with `context`.
   */
  trim?(
    transformed: Transformed<B>,
    since: ReadonlyMap<string, Date>,
  ): Transformed<B>;
  /**
   * The derived assets the load recomputes from the warehouse after the
   * merge, in its transaction (see `@pipeline/load/derived_asset.ts`).
   */
  readonly derived?: readonly DerivedAsset[];
  /** Splits a raw frame into valid rows and quarantined records. */
  validate(
    raw: pl.DataFrame,
    options: { now: Date },
  ): { valid: pl.DataFrame; quarantine: pl.DataFrame };
  /** Derives the frames to load. */
  transform(valid: pl.DataFrame, options?: TransformOptions): Transformed<B>;
  /**
   * The data-quality checks run per partition (entity) between the
   * transform and the load (see `@pipeline/quality/mod.ts`).
   */
  readonly checks: readonly QualityCheck<B>[];
  /**
   * The transformed batch without the rows of `entities` (partitions a
   * blocking check stopped): `rows` and `dates` recounted, `duplicates`
   * as it was.
   */
  withoutEntities(
    transformed: Transformed<B>,
    entities: readonly string[],
  ): Transformed<B>;
  /**
   * The stream subjects that feed this dataset besides its own name, one
   * per side of a join (`prices`, `volumes`). Default none.
   */
  readonly streamSides?: readonly StreamSide[];
  /**
   * Settles state that expires with time (a join's sides that waited too
   * long), in the caller's transaction; a stream consumer calls it when
   * idle. Returns the rows it changed.
   */
  settle?(tx: SqlClient, options: { loadId: string }): Promise<number>;
  /**
   * Tables of this dataset's own state besides its resource and its lake
   * tables (a join's sides, pending ones included, and its unmatched
   * ones): `reset` empties them with the rest. Default none.
   */
  readonly stateTables?: readonly string[];
  /**
   * This dataset waiting `waitMs` for the late side of its join (`etl
   * stream --join-wait`); only a join has it.
   */
  withJoinWait?(waitMs: number): Dataset<B>;
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
  // Integer arithmetic with an Int64 literal: polars divides by a constant
  // through its reciprocal and takes a plain number literal as a float,
  // either of which can put a bar at midnight on the day before.
  const ms = pl.col(column).cast(pl.Int64);
  const day = pl.lit(86_400_000).cast(pl.Int64);
  const days = frame.select(
    ms.minus(ms.modulo(day)).unique().alias("d"),
  ).getColumn("d").toArray();
  return days.map((d) => new Date(Number(d)).toISOString().slice(0, 10))
    .sort();
}

/** The rows of `frame` whose `column` is not one of `values`. */
export function withoutValues(
  frame: pl.DataFrame,
  column: string,
  values: readonly string[],
): pl.DataFrame {
  if (values.length === 0 || frame.height === 0) return frame;
  return frame.filter(
    pl.col(column).isIn(pl.lit(pl.Series("values", [...values], pl.Utf8)))
      .not(),
  );
}
