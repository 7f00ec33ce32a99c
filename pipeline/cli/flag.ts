/**
 * A command-line flag, declared once: its name, value, help text, the
 * default shown in help, the setting it fills and how its text is read.
 * Help, parsing and validation are generated from these declarations.
 * @module
 */

/**
 * Where a flag's setting goes: the run configuration (validated by
 * `parseRunConfig`), the schedule configuration (`parseScheduleConfig`), or
 * the command's own options.
 */
export type FlagTarget = "config" | "schedule" | "options";

/** A declared flag. */
export interface Flag {
  /** The long name, without `--` (`data-dir`). */
  readonly name: string;
  /** A one-letter alias (`h` for `-h`). */
  readonly short?: string;
  /** The value's name in help (`DIR`); absent for a switch. */
  readonly value?: string;
  /** What it does, one sentence or two (wrapped by the help renderer). */
  readonly help: string;
  /** Where the setting goes. Default `options`. */
  readonly into?: FlagTarget;
  /** The setting it fills (`dataDir`). */
  readonly key: string;
  /**
   * Reads the value's text into the setting; throws an `Error` whose message
   * says what was expected (the parser prefixes `--name: `). Default: the
   * text itself.
   */
  readonly parse?: (text: string) => unknown;
  /** The only values accepted, listed in help and checked by the parser. */
  readonly choices?: readonly string[];
  /** A switch's setting when given. Default `true`. */
  readonly set?: unknown;
  /**
   * The setting when the flag is absent (an `options` flag; a run or
   * schedule setting takes its default from its schema). Shown in help.
   */
  readonly default?: string | number | boolean;
  /** The default as shown in help, when it is not {@link default}. */
  readonly shownDefault?: string;
  /** An environment variable read when the flag is absent. */
  readonly env?: string;
  /**
   * A secret: never passed on in a scheduled child run's arguments (the
   * child gets it through its environment).
   */
  readonly secret?: boolean;
  /**
   * A deprecated alias of another flag (its name): using it prints a
   * one-line warning, and a scheduled child run is given the new flag.
   */
  readonly deprecatedFor?: string;
}

/** Flags shown under one heading of a command's help. */
export interface FlagGroup {
  /** The heading (`Flags`, `Run flags of the scheduled ETL`). */
  readonly title: string;
  readonly flags: readonly Flag[];
}

/** `--name VALUE` (and `-h, ` before it when the flag has a short alias). */
export function flagSynopsis(flag: Flag): string {
  const long = `--${flag.name}${flag.value ? ` ${flag.value}` : ""}`;
  return flag.short ? `-${flag.short}, ${long}` : long;
}

/** The default of `flag` as shown in help, if any. */
export function shownDefault(flag: Flag): string | undefined {
  if (flag.shownDefault !== undefined) return flag.shownDefault;
  if (flag.default === undefined || typeof flag.default === "boolean") {
    return undefined;
  }
  return String(flag.default);
}
