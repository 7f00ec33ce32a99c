/**
 * The HTTP extraction layer shared by the API sources: a retrying,
 * rate-limited client with typed, secret-free errors; raw landing and
 * replay; configuration helpers.
 * @module
 */
export * from "@pipeline/extract/http/backoff.ts";
export * from "@pipeline/extract/http/client.ts";
export * from "@pipeline/extract/http/endpoint.ts";
export * from "@pipeline/extract/http/env.ts";
export * from "@pipeline/extract/http/extract_error.ts";
export * from "@pipeline/extract/http/gzip.ts";
export * from "@pipeline/extract/http/http_partition.ts";
export * from "@pipeline/extract/http/json_body.ts";
export * from "@pipeline/extract/http/json_entries.ts";
export * from "@pipeline/extract/http/raw_format.ts";
export * from "@pipeline/extract/http/raw_formats.ts";
export * from "@pipeline/extract/http/raw_landing.ts";
export * from "@pipeline/extract/http/raw_source.ts";
export * from "@pipeline/extract/http/redact.ts";
export * from "@pipeline/extract/http/retry_policy.ts";
export * from "@pipeline/extract/http/sleep.ts";
export * from "@pipeline/extract/http/source_deps.ts";
export * from "@pipeline/extract/http/token_bucket.ts";
export * from "@pipeline/extract/http/utf8_frame.ts";
export * from "@pipeline/extract/http/window.ts";
export * from "@pipeline/extract/http/zoned_time.ts";
