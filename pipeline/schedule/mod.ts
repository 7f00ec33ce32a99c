/**
 * The scheduler: cron expressions, cadences, the missed-run policy, the
 * occurrence state in Postgres, triggers (`Deno.cron`), executors and the
 * `schedule` command.
 * @module
 */
export * from "@pipeline/schedule/cadence.ts";
export * from "@pipeline/schedule/command.ts";
export * from "@pipeline/schedule/config.ts";
export * from "@pipeline/schedule/cron.ts";
export * from "@pipeline/schedule/duration.ts";
export * from "@pipeline/schedule/executor.ts";
export * from "@pipeline/schedule/occurrences.ts";
export * from "@pipeline/schedule/scheduler.ts";
export * from "@pipeline/schedule/state.ts";
export * from "@pipeline/schedule/trigger.ts";
