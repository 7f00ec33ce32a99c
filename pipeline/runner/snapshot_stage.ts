/**
 * The snapshot stage of the runner: the dataset's tables for the dates a
 * load touched, and the quarantine for today, into the Parquet lake.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { snapshotTables, WAREHOUSE_TABLES } from "@pipeline/snapshot/lake.ts";

/** Options of {@link snapshotStage}. */
export interface SnapshotStageOptions {
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  // deno-lint-ignore no-explicit-any
  dataset: Dataset<any>;
  /** UTC dates (`YYYY-MM-DD`) of the dataset's tables to write again. */
  dates: readonly string[];
  /** The data's "now": the quarantine's date, the files' stamp. */
  clock: Clock;
}

/** What {@link snapshotStage} wrote. */
export interface SnapshotStageResult {
  /** Where the DuckDB catalogue is. */
  duckdb: string;
  /** Parquet files written. */
  files: number;
  /** Rows written. */
  rows: number;
}

/**
 * Writes the lake partitions of `dates` for every table of `dataset`, then
 * today's quarantine partition (quarantined records are dated by when they
 * were kept).
 */
export async function snapshotStage(
  options: SnapshotStageOptions,
): Promise<SnapshotStageResult> {
  const { client, dataDir, dataset, clock } = options;
  const facts = await snapshotTables({
    client,
    dataDir,
    dates: options.dates,
    tables: dataset.tables,
    clock,
  });
  const kept = await snapshotTables({
    client,
    dataDir,
    dates: [clock.now().toISOString().slice(0, 10)],
    tables: WAREHOUSE_TABLES.filter((t) => t.name === "quarantine"),
    clock,
  });
  const tables = [...facts.tables, ...kept.tables];
  return {
    duckdb: facts.duckdbPath,
    files: tables.reduce((n, t) => n + t.files.length, 0),
    rows: tables.reduce((n, t) => n + t.rows, 0),
  };
}
