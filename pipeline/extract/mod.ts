/**
 * The extract stage: sources that produce RAW bar frames (see
 * `@pipeline/bars.ts`). The HTTP sources live in `@pipeline/extract/http/`.
 * @module
 */
export * from "@pipeline/extract/calendar.ts";
export * from "@pipeline/extract/file.ts";
export * from "@pipeline/extract/record_file.ts";
export * from "@pipeline/extract/synthetic.ts";
export * from "@pipeline/extract/symbol_file.ts";
export * from "@pipeline/extract/finnhub_trades.ts";
