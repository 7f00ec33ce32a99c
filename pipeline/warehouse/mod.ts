/**
 * The warehouse: range partitions of the fact tables (created ahead of the
 * data by the load) and the retention that moves old partitions to the
 * Parquet lake.
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
