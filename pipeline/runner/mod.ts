/**
 * The stage runner behind every command that loads data, and the run
 * record built from its batches.
 * @module
 */
export * from "@pipeline/runner/run_batch.ts";
export * from "@pipeline/runner/run_record.ts";
export * from "@pipeline/runner/snapshot_stage.ts";
export * from "@pipeline/runner/stage_timer.ts";
export * from "@pipeline/runner/interrupted.ts";
