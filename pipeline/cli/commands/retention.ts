/**
 * `deno task etl retention`: old partitions moved to the lake.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { payDebtFirst } from "@pipeline/cli/lake_debt.ts";
import { dryRunFlag, jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { duration } from "@pipeline/cli/values.ts";

/** The `retention` command. */
export const retentionCommand: Command = {
  name: "retention",
  summary: "move partitions older than the retention age to the Parquet lake",
  usage: "deno task etl retention [FLAGS]",
  description:
    `Moves old partitions to the lake: each partition of bars_1m, bars_5m, bars_1h
and weather_hourly whose whole range is older than the retention age is
exported to DATA_DIR/lake/<table>/date=YYYY-MM-DD/ (registered in
DATA_DIR/analytics.duckdb), its row count checked against the Parquet files,
then detached and dropped. The DEFAULT partition is never dropped. A rerun
finishes what an interrupted one left. The scheduler runs it daily.`,
  flags: [{
    title: "Flags",
    flags: [
      {
        name: "older-than",
        value: "DURATION",
        help:
          "archive partitions older than this (e.g. 90d) instead of each table's age in etl_partitioning.retention (NULL there: kept forever)",
        key: "olderThanMs",
        parse: duration,
      },
      {
        name: "table",
        value: "NAME",
        help: "only this table",
        key: "table",
      },
      dryRunFlag("what would be archived"),
      jsonFlag("the result as one object"),
    ],
  }],
  notes: "Durations: 12h, 90d, 1d12h.",
  exit: [
    [0, "ok"],
    [1, "a partition could not be archived (see the error)"],
    [2, "bad usage"],
  ],
  run({ config, options, runtime }) {
    return withDatabase(config, runtime.logger, async (client) => {
      await payDebtFirst(client, {
        dataDir: config.dataDir,
        logger: runtime.logger,
      });
      const { retentionCommand: applyRetention } = await import(
        "@pipeline/warehouse/retention_command.ts"
      );
      return await applyRetention({
        client,
        dataDir: config.dataDir,
        olderThanMs: options.olderThanMs as number | undefined,
        table: options.table as string | undefined,
        dryRun: options.dryRun as boolean,
        json: options.json as boolean,
        clock: runtime.clock,
        logger: runtime.logger,
        exit: EXIT,
      });
    });
  },
};
