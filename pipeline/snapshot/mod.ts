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
} from "@pipeline/snapshot/lake.ts";
export {
  CATALOG_FILE,
  CATALOG_LAYOUT,
  type CatalogBuild,
  rebuildCatalog,
} from "@pipeline/snapshot/catalog_file.ts";
export {
  CATALOG_VIEWS,
  type CatalogView,
  createCatalogViews,
  relationsOf,
} from "@pipeline/snapshot/catalog_views.ts";
export {
  copyOpsTables,
  type CopyOpsTablesOptions,
  NOT_IN_CATALOG,
  OPS_TABLES,
} from "@pipeline/snapshot/ops_tables.ts";
export {
  refreshCatalog,
  type RefreshCatalogOptions,
} from "@pipeline/snapshot/refresh.ts";
export {
  type CatalogConnection,
  openCatalog,
  type OpenCatalogOptions,
} from "@pipeline/snapshot/open_catalog.ts";
export {
  LAKE_FILES_DDL,
  type LakeFile,
  lakeViewSql,
  listLakeFiles,
  partitionDir,
  registerLake,
  type RegisterLakeOptions,
  sqlString,
} from "@pipeline/snapshot/catalog.ts";
export {
  assertIdentifier,
  type ColumnShape,
  describeTable,
  type DescribeTableOptions,
  describeTables,
  duckdbTypeFor,
  IDENTIFIER_PATTERN,
  type TableShape,
} from "@pipeline/snapshot/columns.ts";
export {
  coveringPeriods,
  LAKE_GRANULARITIES,
  type LakeGranularity,
  type LakePeriod,
  parsePartitionDir,
  partitionKey,
  periodOf,
  periodsOf,
} from "@pipeline/snapshot/granularity.ts";
export {
  clearLakeDebt,
  type DirtyTable,
  hasLakeDebt,
  type LakeDebt,
  type LakeDebtSummary,
  readLakeDebt,
  recordLakeDebt,
  type RecordLakeDebtOptions,
  summarizeLakeDebt,
} from "@pipeline/snapshot/debt.ts";
export {
  type LakeDebtPayment,
  payLakeDebt,
  type PayLakeDebtOptions,
} from "@pipeline/snapshot/pay.ts";
export {
  LAKE_LOCK_KEY,
  type LakeLockOptions,
  withLakeLock,
} from "@pipeline/snapshot/lake_lock.ts";
export {
  removeStagingLeftovers,
  STAGING_PREFIX,
} from "@pipeline/snapshot/staging.ts";
