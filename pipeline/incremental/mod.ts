/**
 * Incremental loading: windows from watermarks, and backfills in chunks.
 * @module
 */
export * from "@pipeline/incremental/window.ts";
export * from "@pipeline/incremental/context.ts";
export * from "@pipeline/incremental/backfill.ts";
export * from "@pipeline/incremental/reset.ts";
