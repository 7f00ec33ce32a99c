/**
 * Parses a command line against a declared {@link Program}: tokenising is
 * `node:util` `parseArgs` (Node's standard parser, strict mode); which flags
 * a command takes, how each value is read and checked, defaults, the
 * environment fallbacks and deprecated aliases come from the declarations.
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "@pipeline/config.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { Command } from "@pipeline/cli/command.ts";
import type { Flag, FlagTarget } from "@pipeline/cli/flag.ts";
import {
  allFlags,
  commandNamed,
  flagsOf,
  type Program,
} from "@pipeline/cli/program.ts";

/** A parsed command line, its settings read but not yet validated together. */
export interface CommandLine {
  /** The command, or undefined for the program's own help. */
  command: Command | undefined;
  /** Help was asked for (`--help`, `-h`, `help CMD`): nothing else is read. */
  help: boolean;
  /** Settings by where they go, keyed by each flag's `key`. */
  settings: Record<FlagTarget, Record<string, unknown>>;
  /** The positional arguments after the command name. */
  positionals: string[];
  /**
   * The run-configuration flags as given (secrets left out, deprecated
   * aliases in their new spelling), for a scheduled child run.
   */
  runArgs: string[];
  /** One line per deprecated flag used, for stderr. */
  warnings: string[];
}

/** Options of {@link parseCommandLine}. */
export interface ParseOptions {
  /** Reads an environment variable (flags' `env` fallbacks). Default `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

/**
 * Parses `argv`: `[COMMAND] [POSITIONALS] [FLAGS]`, `help [COMMAND]`,
 * `COMMAND --help`. Throws a {@link ConfigError} naming the problem: an
 * unknown flag or command, a flag that is not of the command, a missing
 * value, a value that does not read (`--sessions: expected a number`), a
 * value not among its choices, an extra argument.
 */
export function parseCommandLine(
  argv: readonly string[],
  program: Program,
  options: ParseOptions = {},
): CommandLine {
  const { env = (name: string) => Deno.env.get(name) } = options;
  const known = allFlags(program);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: Object.fromEntries(
        [...known.values()].map((f) => [f.name, {
          type: f.value ? "string" as const : "boolean" as const,
          ...(f.short ? { short: f.short } : {}),
        }]),
      ),
    });
  } catch (err) {
    throw new ConfigError(describeParseError(err));
  }
  const { positionals, tokens } = parsed;
  const settings: CommandLine["settings"] = {
    config: {},
    schedule: {},
    options: {},
  };
  const empty = { settings, positionals: [], runArgs: [], warnings: [] };
  let help = parsed.values.help === true;
  let names = positionals;
  if (names[0] === "help") {
    help = true;
    names = names.slice(1);
  }
  if (names.length === 0 && help) return { command: undefined, help, ...empty };
  const name = names[0] ?? program.defaultCommand;
  const command = commandNamed(program, name);
  if (!command) throw new ConfigError(`unknown command "${name}"`);
  if (help) return { command, help, ...empty };

  const rest = names.slice(1);
  const max = command.positionals?.length ?? 0;
  if (rest.length > max) {
    throw new ConfigError(`unexpected argument: ${rest[max]}`);
  }
  const flags = new Map(flagsOf(program, command).map((f) => [f.name, f]));
  const given = new Set<string>();
  const warned = new Set<string>();
  const warnings: string[] = [];
  const runArgs: string[] = [];
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const flag = flags.get(t.name);
    if (!flag) {
      throw new ConfigError(
        `${t.rawName} is not a flag of the ${command.name} command`,
      );
    }
    const value = flag.value
      ? readValue(flag, t.value ?? "")
      : flag.set ?? true;
    settings[flag.into ?? "options"][flag.key] = value;
    given.add(flag.name);
    if (flag.deprecatedFor && !warned.has(flag.name)) {
      warned.add(flag.name);
      warnings.push(
        `warning: --${flag.name} is deprecated and will be removed in the next release; ${
          value === undefined
            ? `use --${flag.deprecatedFor}, or leave it out for the default`
            : `use --${flag.deprecatedFor} ${value}`
        }`,
      );
    }
    if (flag.into === "config" && !flag.secret) {
      if (flag.deprecatedFor) {
        if (value !== undefined) {
          runArgs.push(`--${flag.deprecatedFor}`, String(value));
        }
      } else {
        runArgs.push(
          ...(t.value === undefined ? [t.rawName] : [t.rawName, t.value]),
        );
      }
    }
  }
  for (const flag of flags.values()) {
    if (
      flag.deprecatedFor && given.has(flag.name) &&
      given.has(flag.deprecatedFor)
    ) {
      throw new ConfigError(
        `give --${flag.deprecatedFor}, not both --${flag.deprecatedFor} and --${flag.name}`,
      );
    }
    if (given.has(flag.name)) continue;
    const target = settings[flag.into ?? "options"];
    const fromEnv = flag.env === undefined ? undefined : env(flag.env);
    if (fromEnv !== undefined && fromEnv !== "") {
      target[flag.key] = readValue(flag, fromEnv, flag.env);
    } else if (
      flag.default !== undefined && (flag.into ?? "options") === "options" &&
      !(flag.key in target)
    ) {
      target[flag.key] = flag.default;
    }
  }
  for (const target of Object.values(settings)) {
    for (const k of Object.keys(target)) {
      if (target[k] === undefined) delete target[k];
    }
  }
  return { command, help, settings, positionals: rest, runArgs, warnings };
}

/** The setting of `flag` given `text`; throws naming the flag (or variable). */
function readValue(flag: Flag, text: string, from = `--${flag.name}`): unknown {
  if (flag.choices && !flag.choices.includes(text)) {
    const list = flag.choices.length === 2
      ? flag.choices.join(" or ")
      : flag.choices.join(", ");
    throw new ConfigError(`${from}: expected ${list}, got "${text}"`);
  }
  if (!flag.parse) return text;
  try {
    return flag.parse(text);
  } catch (err) {
    throw new ConfigError(`${from}: ${errorMessage(err)}`);
  }
}

/** `parseArgs`' own errors, shortened to what a user needs. */
function describeParseError(err: unknown): string {
  const message = errorMessage(err);
  const code = (err as { code?: string }).code;
  const option = message.match(/'(-[^' ]+)/)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return `unknown flag ${option}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    if (/argument missing/.test(message)) return `${option} needs a value`;
    if (/argument is ambiguous/.test(message)) {
      return `${option} needs a value (write a value that starts with "-" as ${option}=-x)`;
    }
    if (/does not take an argument/.test(message)) {
      return `${option} takes no value`;
    }
  }
  return message;
}
