/**
 * The warehouse: range partitions of the fact tables (created ahead of the
 * data by the load), the retention that moves old partitions to the Parquet
 * lake, dimensions (SCD2) and snapshot diffs.
 * @module
 */
export {
  addPeriods,
  GRANULARITIES,
  type Granularity,
  partitionName,
  periodsCovering,
  periodStart,
} from "@pipeline/warehouse/granularity.ts";
export {
  type PartitioningConfig,
  readPartitioning,
} from "@pipeline/warehouse/config.ts";
export {
  ensurePartitions,
  type EnsurePartitionsOptions,
  type EnsurePartitionsResult,
  listPartitions,
  type PartitionInfo,
  type PartitionKey,
  partitionKey,
} from "@pipeline/warehouse/partitions.ts";
export {
  applyRetention,
  type RetentionOptions,
  type RetentionPartitionResult,
  type RetentionResult,
  type RetentionStep,
  type RetentionStepEvent,
  type RetentionTableResult,
} from "@pipeline/warehouse/retention.ts";
export * from "@pipeline/warehouse/scd2.ts";
export * from "@pipeline/warehouse/diff.ts";
export * from "@pipeline/warehouse/diff_record.ts";
export * from "@pipeline/warehouse/diff_command.ts";
