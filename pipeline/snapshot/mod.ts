/**
 * The snapshot stage: warehouse tables → Parquet lake → DuckDB views.
 * @module
 */
export {
  dateRangeSql,
  parseSnapshotDates,
  type SnapshotOptions,
  type SnapshotResult,
  type SnapshotTable,
  type SnapshotTableResult,
  snapshotTables,
  WAREHOUSE_TABLES,
} from "@pipeline/snapshot/lake.ts";
export {
  LAKE_FILES_DDL,
  type LakeFile,
  lakeViewSql,
  listLakeFiles,
  registerLake,
  type RegisterLakeOptions,
} from "@pipeline/snapshot/catalog.ts";
export {
  assertIdentifier,
  type ColumnShape,
  describeTable,
  type DescribeTableOptions,
  duckdbTypeFor,
  IDENTIFIER_PATTERN,
  type TableShape,
} from "@pipeline/snapshot/columns.ts";
