/**
 * Operations: run history, the pipeline run lock, guarded runs, status,
 * alerts, metrics, logs, progress, retries and stop signals.
 * @module
 */
export * from "@pipeline/ops/alerts.ts";
export * from "@pipeline/ops/dir_lock.ts";
export * from "@pipeline/ops/execute.ts";
export * from "@pipeline/ops/history.ts";
export * from "@pipeline/ops/lock.ts";
export * from "@pipeline/ops/logging.ts";
export * from "@pipeline/ops/metrics.ts";
export * from "@pipeline/ops/metrics_server.ts";
export * from "@pipeline/ops/pipeline_name.ts";
export * from "@pipeline/ops/progress.ts";
export * from "@pipeline/ops/retry.ts";
export * from "@pipeline/ops/secrets.ts";
export * from "@pipeline/ops/signals.ts";
export * from "@pipeline/ops/sluice_metrics.ts";
export * from "@pipeline/ops/status.ts";
