/**
 * The warehouse schema as Kysely types (kept in step with the migrations).
 * @module
 */
import type { ColumnType, Generated } from "kysely";

/** A timestamptz column: written as Date or ISO text, read as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

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

/** A one-minute bar with its derived columns. */
export interface Bar1mTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  ret: number | null;
  ma_close_20: number | null;
  ma_volume_20: number | null;
  vwap: number | null;
  load_id: string;
}

/** A 5-minute or 1-hour aggregate bar. */
export interface BarAggTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  bar_count: number;
  load_id: string;
}

/** An hour of weather at a location; measurements are NULL when not sent. */
export interface WeatherHourlyTable {
  location: string;
  ts: Timestamp;
  temperature_2m: number | null;
  relative_humidity_2m: number | null;
  precipitation: number | null;
  wind_speed_10m: number | null;
  temperature_2m_ma_24h: number | null;
  precipitation_24h: number | null;
  load_id: string;
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

/** A version of a symbol (SCD2): valid over [valid_from, valid_to). */
export interface DimSymbolTable {
  symbol_key: Generated<string>;
  symbol: string;
  name: string;
  exchange: string;
  currency: string;
  sector: string | null;
  row_hash: string;
  valid_from: Timestamp;
  /** NULL while the version is open (current). */
  valid_to: Timestamp | null;
  is_current: boolean;
  /** The run that opened the version. */
  load_id: string;
  /** The run that closed it. */
  closed_load_id: string | null;
}

/** One reference load of dim_symbol. */
export interface DimSymbolLoadTable {
  load_id: string;
  as_of: Timestamp;
  full_load: boolean;
  method: "compare" | "diff";
  base_date: string | null;
  rows: number;
  opened: number;
  closed: number;
  unchanged: number;
  recorded_at: Generated<Date>;
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

/** The warehouse. */
export interface Database {
  etl_runs: EtlRunTable;
  bars_1m: Bar1mTable;
  bars_5m: BarAggTable;
  bars_1h: BarAggTable;
  weather_hourly: WeatherHourlyTable;
  quarantine: QuarantineTable;
  etl_partitioning: EtlPartitioningTable;
  etl_retention: EtlRetentionTable;
  dim_symbol: DimSymbolTable;
  dim_symbol_loads: DimSymbolLoadTable;
  etl_snapshot_diffs: EtlSnapshotDiffTable;
}
