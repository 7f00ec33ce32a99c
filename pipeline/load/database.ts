/**
 * The warehouse schema as Kysely types (kept in step with the migrations):
 * the tables every load shares. Each dataset adds its own tables to
 * {@link Database} by interface merging, in its folder's `tables.ts`
 * (`declare module "@pipeline/load/database.ts" { interface Database {...} }`).
 * @module
 */
import type { ColumnType, Generated } from "kysely";

/** A timestamptz column: written as Date or ISO text, read as Date. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One row per pipeline run. */
export interface EtlRunTable {
  run_id: string;
  source: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: "running" | "succeeded" | "failed";
  summary: unknown;
  error: string | null;
}

/** A rejected record. */
export interface QuarantineTable {
  id: Generated<string>;
  fingerprint: string;
  load_id: string;
  dataset: string;
  source: string;
  record: string;
  /** The record's symbol or location, as delivered. */
  entity: string | null;
  ts: string | null;
  field: string;
  reason: string;
  raw: string;
  quarantined_at: Generated<Date>;
}

/** How a fact table is partitioned and kept. */
export interface EtlPartitioningTable {
  table_name: string;
  granularity: "day" | "month";
  ahead: number;
  /** A Postgres interval; NULL keeps partitions forever. */
  retention: string | null;
}

/** A partition the retention archived to the lake, detached and dropped. */
export interface EtlRetentionTable {
  id: Generated<string>;
  table_name: string;
  partition_name: string;
  range_from: Timestamp;
  range_to: Timestamp;
  rows: string | number;
  /** Lake file paths holding the partition's rows (JSON array). */
  exported_files: unknown;
  detached_at: Timestamp;
  dropped_at: Timestamp | null;
  run_id: string;
}

/** A key a snapshot diff found inserted, updated or deleted. */
export interface EtlSnapshotDiffTable {
  id: Generated<string>;
  table_name: string;
  from_date: string;
  to_date: string;
  change: "insert" | "update" | "delete";
  key: unknown;
  run_id: string;
  recorded_at: Generated<Date>;
}

/** The warehouse: the shared tables here, the datasets' tables merged in. */
export interface Database {
  etl_runs: EtlRunTable;
  quarantine: QuarantineTable;
  etl_partitioning: EtlPartitioningTable;
  etl_retention: EtlRetentionTable;
  etl_snapshot_diffs: EtlSnapshotDiffTable;
}
