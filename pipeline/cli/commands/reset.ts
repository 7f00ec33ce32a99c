/**
 * `deno task etl reset DATASET`: a dataset and its state wiped.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { systemClock } from "@pipeline/clock.ts";

/** The `reset` command. */
export const resetCommand: Command = {
  name: "reset",
  summary: "wipe a dataset and its state: deno task etl reset bars",
  usage: "deno task etl reset DATASET [--yes] [FLAGS]",
  description:
    `Wipes a dataset: the rows of its tables, its quarantined records, its
watermarks and backfill chunks (one transaction), and its Parquet files in
the lake. Run history is kept. Asks to type the dataset's name unless --yes.`,
  positionals: [{
    name: "DATASET",
    help: `the dataset to wipe: ${Object.keys(DATASETS).join(", ")}`,
  }],
  flags: [{
    title: "Flags",
    flags: [{
      name: "yes",
      help: "do not ask for confirmation",
      key: "yes",
      default: false,
    }],
  }],
  exit: [
    [0, "wiped"],
    [1, "the wipe failed (nothing was changed)"],
    [2, "bad usage, not confirmed or cancelled"],
    [3, "the PGlite directory is in use"],
  ],
  async run({ config, options, positionals, runtime }) {
    const { logger } = runtime;
    const name = positionals[0];
    const dataset = name ? DATASETS[name] : undefined;
    if (!name || !dataset) {
      logger.error(
        `error: reset needs a dataset: ${Object.keys(DATASETS).join(", ")}${
          name ? ` (got "${name}")` : ""
        }`,
      );
      return EXIT.usage;
    }
    if (!options.yes) {
      if (!Deno.stdin.isTerminal()) {
        logger.error(
          `error: reset ${name} wipes its tables and state; confirm with --yes (stdin is not a terminal)`,
        );
        return EXIT.usage;
      }
      const answer = prompt(
        `This deletes every row of ${
          dataset.tables.map((t) => t.name).join(", ")
        }, the ${name} quarantine, watermarks and backfill state, and its lake files. Type "${name}" to confirm:`,
      );
      if (answer?.trim() !== name) {
        logger.error("reset cancelled: nothing was changed");
        return EXIT.usage;
      }
    }
    return await withDatabase(config, logger, async (client) => {
      await migrateToLatest(client);
      const { resetDataset } = await import("@pipeline/incremental/reset.ts");
      const report = await resetDataset(client, dataset, {
        dataDir: config.dataDir,
        now: systemClock.now(),
      });
      logger.info(
        `reset ${name}: ${
          report.tables.map((t) => `${t.table} ${t.rows} rows`).join(", ")
        }, ${report.quarantined} quarantined, ${report.watermarks} watermarks, ${report.chunks} backfill chunks, ${report.lakeDirs.length} lake directories removed`,
      );
      return EXIT.ok;
    });
  },
};
