/**
 * A table dataset: one table of an operational source database (MySQL,
 * MariaDB, Postgres) declared with its columns, its key and how it is
 * captured, and the warehouse load of its rows. The database engine
 * (`@pipeline/extract/database/mod.ts`) reads every declared table in one
 * consistent snapshot, lands each in the lake and hands the rows to
 * {@link TableDataset.load} in one warehouse transaction.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";

/** A source column and the type it is staged, landed and loaded as. */
export interface TableColumn {
  readonly name: string;
  readonly type: "bigint" | "int" | "text" | "numeric" | "timestamp";
}

/**
 * How a table is captured:
 * - `full`: every row, every run;
 * - `incremental`: rows whose `cursor` (e.g. `updated_at`) is at or after
 *   the watermark (the newest cursor loaded) minus `lagMs`, so rows
 *   committed late with an older cursor are read again;
 * - `snapshot_diff`: every row (a table without an updated-at column),
 *   landed as the day's snapshot and diffed in DuckDB against the last
 *   loaded snapshot: only inserted, updated and deleted keys are applied.
 */
export type Capture =
  | { readonly mode: "full" }
  | {
    readonly mode: "incremental";
    readonly cursor: string;
    readonly lagMs: number;
  }
  | { readonly mode: "snapshot_diff" };

/** The keys a snapshot diff found (as text). */
export interface KeyChanges {
  changed: string[];
  deleted: string[];
}

/** The rows of one table as extracted, staged in the load's transaction. */
export interface StagedRows {
  /** A temporary table with the declared columns, one row per key. */
  table: string;
  rows: number;
  /** Whether the rows are the whole table (full and snapshot_diff). */
  whole: boolean;
  /** For snapshot_diff: the changes against the last snapshot, or null to compare every key. */
  changes: KeyChanges | null;
}

/** What a table's load gets besides its rows. */
export interface TableLoadContext {
  loadId: string;
  /** The run's clock: SCD2 versions open and close at it. */
  asOf: Date;
}

/** One declared source table. */
export interface TableDataset {
  /** The dataset's name, also its lake table: `platform_trades`. */
  readonly name: string;
  /** The table in the source database. */
  readonly sourceTable: string;
  /** The key column: unique, totally ordered (keyset pagination). */
  readonly key: string;
  readonly columns: readonly TableColumn[];
  readonly capture: Capture;
  /** The warehouse tables it writes (for the summary and the docs). */
  readonly warehouseTables: readonly string[];
  /** Loads the staged rows inside the caller's transaction. */
  load(
    tx: SqlClient,
    staged: StagedRows,
    context: TableLoadContext,
  ): Promise<UpsertResult[]>;
}
