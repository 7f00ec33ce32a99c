/**
 * A command, declared once: its name, summary, usage, description, flags,
 * positionals, exit statuses and the function that runs it. Help and
 * parsing are generated from the declaration.
 * @module
 */
import type { FlagGroup } from "@pipeline/cli/flag.ts";
import type { RunConfig } from "@pipeline/config.ts";
import type { Runtime } from "@pipeline/cli/runtime.ts";

/** A positional argument after the command name. */
export interface Positional {
  /** Its name in help (`DATASET`). */
  readonly name: string;
  readonly help: string;
}

/** What a command is handed to run. */
export interface CommandContext {
  /** The validated run configuration (data dir, database, source...). */
  readonly config: RunConfig;
  /** The command's own options, read from its flags (defaults applied). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The schedule settings as given (for `parseScheduleConfig`). */
  readonly schedule: Readonly<Record<string, unknown>>;
  /** The positional arguments after the command name. */
  readonly positionals: readonly string[];
  /** The run-configuration flags as given, for a scheduled child run. */
  readonly runArgs: readonly string[];
  /** Environment, secrets, clock, logger and progress of this process. */
  readonly runtime: Runtime;
}

/** A declared command. */
export interface Command {
  /** The name typed after `deno task etl`. */
  readonly name: string;
  /** The line (or two) in the command list of `deno task etl --help`. */
  readonly summary: string;
  /** The usage line (`deno task etl reset DATASET [--yes] [FLAGS]`). */
  readonly usage: string;
  /** What it does, as paragraphs of help. */
  readonly description: string;
  /** Its flags by heading; the common flags are added to every command. */
  readonly flags: readonly FlagGroup[];
  readonly positionals?: readonly Positional[];
  /** Notes after the flags (`Durations: 250ms, 30s, ...`). */
  readonly notes?: string;
  /** Its exit statuses: `[status, meaning]`. */
  readonly exit: readonly (readonly [number, string])[];
  /** Runs it; returns the exit status. */
  run(context: CommandContext): Promise<number>;
}
