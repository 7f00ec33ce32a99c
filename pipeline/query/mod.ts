/**
 * `deno task query`: SQL over the catalogue (`analytics.duckdb`), one-shot
 * or at a prompt.
 * @module
 */
export * from "@pipeline/query/format.ts";
export * from "@pipeline/query/session.ts";
export * from "@pipeline/query/statements.ts";
export * from "@pipeline/query/repl.ts";
export * from "@pipeline/query/terminal.ts";
export * from "@pipeline/query/run_query.ts";
