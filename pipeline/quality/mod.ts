/**
 * Data-quality checks: per partition (the dataset's entity), columnar in
 * polars, between the transform and the load. A failing `blocking` check
 * stops its partition's load (its records go to quarantine); a `warn`
 * check only records. Every outcome lands in `etl_checks` with the run.
 * @module
 */
export * from "@pipeline/quality/check.ts";
export * from "@pipeline/quality/settings.ts";
export * from "@pipeline/quality/row_count.ts";
export * from "@pipeline/quality/null_rate.ts";
export * from "@pipeline/quality/freshness.ts";
export * from "@pipeline/quality/monotonic.ts";
export * from "@pipeline/quality/ohlc.ts";
export * from "@pipeline/quality/unique_key.ts";
export * from "@pipeline/quality/finite.ts";
export * from "@pipeline/quality/nyse_minutes.ts";
export * from "@pipeline/quality/evaluate.ts";
export * from "@pipeline/quality/check_summary.ts";
export * from "@pipeline/quality/record.ts";
export * from "@pipeline/quality/blocked_records.ts";
export * from "@pipeline/quality/gate.ts";
