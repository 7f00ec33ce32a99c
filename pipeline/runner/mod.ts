/**
 * The stage runner behind every command that loads data, and the run
 * record built from its batches.
 * @module
 */
export * from "@pipeline/runner/run_batch.ts";
export * from "@pipeline/runner/run_record.ts";
// Types only: the snapshot stage (DuckDB) is loaded when a run reaches it.
export type {
  SnapshotStageOptions,
  SnapshotStageResult,
} from "@pipeline/runner/snapshot_stage.ts";
export * from "@pipeline/runner/stage_timer.ts";
export * from "@pipeline/runner/extract_stage.ts";
export * from "@pipeline/runner/interrupted.ts";
