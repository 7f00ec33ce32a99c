/**
 * The snapshot stage of the runner: pays the lake's debt. Every load records
 * the lake partitions it dirtied in its own transaction
 * (`@pipeline/snapshot/debt.ts`); this stage rewrites every partition owed,
 * this batch's and any a killed or `--no-snapshot` run left, and clears
 * each once its files are in place (`@pipeline/snapshot/pay.ts`).
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { payLakeDebt } from "@pipeline/snapshot/pay.ts";
import type { LakeFrames } from "@pipeline/snapshot/lake_frames.ts";

/** Options of {@link snapshotStage}. */
export interface SnapshotStageOptions {
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  /**
   * The datasets whose tables the lake holds. Default every registered
   * dataset ({@link DATASETS}).
   */
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>> | undefined;
  /** Stamps the files (`lake_files.snapshot_at`). */
  clock: Clock;
  /** Stops waiting for another lake writer. */
  signal?: AbortSignal | undefined;
  /**
   * The batch's frames of partitions they fill alone (written without
   * reading the warehouse back). Default none.
   */
  frames?: LakeFrames | null | undefined;
  /** Told the rows of each chunk once staged (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
  /** Told the rows the stage will write, before it writes (progress). */
  onTotal?: ((rows: number) => void) | undefined;
}

/** What {@link snapshotStage} wrote. */
export interface SnapshotStageResult {
  /** Where the DuckDB catalogue is; null when nothing was owed. */
  duckdb: string | null;
  /** Parquet files written. */
  files: number;
  /** Rows written. */
  rows: number;
  /** The UTC dates of the partitions rewritten, sorted. */
  dates: string[];
}

/** Rewrites every lake partition owed; see the module doc. */
export async function snapshotStage(
  options: SnapshotStageOptions,
): Promise<SnapshotStageResult> {
  const paid = await payLakeDebt(options.client, {
    dataDir: options.dataDir,
    tables: lakeTables(options.datasets ?? DATASETS),
    clock: options.clock,
    signal: options.signal,
    frames: options.frames ?? null,
    onRows: options.onRows,
    onTotal: options.onTotal,
  });
  return {
    duckdb: paid.duckdbPath,
    files: paid.tables.reduce((n, t) => n + t.files.length, 0),
    rows: paid.tables.reduce((n, t) => n + t.rows, 0),
    dates: [...new Set(paid.tables.flatMap((t) => t.dates))].sort(),
  };
}
