/**
 * The simulated trading platform (tooling, not the job): schema, simulator,
 * connection and the `deno task platform` command line.
 * @module
 */
export * from "./schema.ts";
export * from "./simulate.ts";
export * from "./connect.ts";
