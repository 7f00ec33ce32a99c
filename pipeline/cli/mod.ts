/**
 * The command-line layer: flags and commands declared once, help and
 * parsing generated from the declarations, and the plumbing commands share.
 * @module
 */
export * from "@pipeline/cli/flag.ts";
export * from "@pipeline/cli/values.ts";
export * from "@pipeline/cli/command.ts";
export * from "@pipeline/cli/program.ts";
export * from "@pipeline/cli/parse.ts";
export * from "@pipeline/cli/help.ts";
export * from "@pipeline/cli/exit.ts";
export * from "@pipeline/cli/database.ts";
export * from "@pipeline/cli/signals.ts";
export * from "@pipeline/cli/runtime.ts";
export * from "@pipeline/cli/pipeline_name.ts";
export * from "@pipeline/cli/common_flags.ts";
export * from "@pipeline/cli/run_flags.ts";
export * from "@pipeline/cli/shared_flags.ts";
export * from "@pipeline/cli/commands/mod.ts";
export * from "@pipeline/cli/etl.ts";
