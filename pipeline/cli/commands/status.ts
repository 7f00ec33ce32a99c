/**
 * `deno task etl status`: recent runs, freshness and quarantine.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { number } from "@pipeline/cli/values.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { systemClock } from "@pipeline/clock.ts";

/** The `status` command. */
export const statusCommand: Command = {
  name: "status",
  summary: "recent runs, last success and lag per source, quarantine",
  usage: "deno task etl status [FLAGS]",
  description:
    `Prints the recent runs (trigger, attempt, status, rows, quarantined, error),
the last success and newest data of each source with its lag behind now,
quarantine counts by dataset and source, and the latest scheduled
occurrences.`,
  flags: [{
    title: "Flags",
    flags: [
      {
        name: "limit",
        value: "N",
        help: "recent runs to list",
        key: "limit",
        parse: number,
        default: 10,
      },
      jsonFlag("the status as one object"),
    ],
  }],
  exit: [[0, "ok"], [1, "the database could not be read"], [2, "bad usage"]],
  run({ config, options, runtime }) {
    return withDatabase(config, runtime.logger, async (client) => {
      await migrateToLatest(client);
      const { formatStatus, readStatus } = await import(
        "@pipeline/ops/status.ts"
      );
      const report = await readStatus(client, {
        now: systemClock.now(),
        limit: options.limit as number,
      });
      console.log(
        options.json ? JSON.stringify(report, null, 2) : formatStatus(report),
      );
      return EXIT.ok;
    });
  },
};
