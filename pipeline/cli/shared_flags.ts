/**
 * Flags several commands take, each command saying what they act on.
 * @module
 */
import type { Flag } from "@pipeline/cli/flag.ts";

/** `--json`: print `what` as JSON on stdout. */
export function jsonFlag(what: string): Flag {
  return {
    name: "json",
    help: `print ${what} as JSON on stdout`,
    key: "json",
    default: false,
  };
}

/** `--dry-run`: show `what` would be done; change nothing. */
export function dryRunFlag(what: string): Flag {
  return {
    name: "dry-run",
    help: `print ${what}; change nothing`,
    key: "dryRun",
    default: false,
  };
}
