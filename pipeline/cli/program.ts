/**
 * A program: its commands, the flags every command takes, the command run
 * when none is named, and the text around the command list in its help.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import type { Flag, FlagGroup } from "@pipeline/cli/flag.ts";

/** A declared program. */
export interface Program {
  /** How it is invoked (`deno task etl`). */
  readonly invocation: string;
  /** The first line of its help. */
  readonly title: string;
  /** Every command, in the order help lists them. */
  readonly commands: readonly Command[];
  /** The command run when none is named. */
  readonly defaultCommand: string;
  /** The flags of every command. */
  readonly common: FlagGroup;
  /** Text after the command list (the environment it reads). */
  readonly epilogue?: string;
}

/** Every flag `command` takes: its own, then the common ones. */
export function flagsOf(program: Program, command: Command): Flag[] {
  return [...command.flags, program.common].flatMap((g) => g.flags);
}

/**
 * Every flag of the program by name. Flags of different commands may share
 * a name (`--from` of backfill and of diff) when they agree on taking a
 * value or not; a disagreement is a programming error and throws.
 */
export function allFlags(program: Program): Map<string, Flag> {
  const byName = new Map<string, Flag>();
  for (const command of program.commands) {
    for (const flag of flagsOf(program, command)) {
      const seen = byName.get(flag.name);
      if (
        seen && (!seen.value !== !flag.value || seen.short !== flag.short)
      ) {
        throw new Error(
          `flag --${flag.name} of the ${command.name} command is declared differently by another command`,
        );
      }
      if (!seen) byName.set(flag.name, flag);
    }
  }
  return byName;
}

/** The command called `name`, if the program has one. */
export function commandNamed(
  program: Program,
  name: string,
): Command | undefined {
  return program.commands.find((c) => c.name === name);
}
