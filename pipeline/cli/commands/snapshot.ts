/**
 * `deno task etl snapshot`: pays the lake's debt and nothing else.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { formatPayment, payDebt } from "@pipeline/cli/lake_debt.ts";
import { errorMessage } from "@pipeline/errors.ts";

/** The `snapshot` command. */
export const snapshotCommand: Command = {
  name: "snapshot",
  summary:
    "pay the lake's debt: rewrite the Parquet partitions that loads changed since they were last written",
  usage: "deno task etl snapshot [FLAGS]",
  description:
    `Pays the lake's debt and nothing else: every lake partition (a table's day,
month or year) that a committed load changed and whose Parquet files were not
rewritten since (the run was killed during its snapshot, the disk was full,
the server went away, or it ran with --no-snapshot) is exported again from
the warehouse and registered in DATA_DIR/analytics.duckdb, whose copies of
the operations tables (runs, checks, loads, watermarks, dim_symbol, ...) are
refreshed; leftover staging directories are removed. run, backfill,
retention and diff pay it too before their work; status shows what is owed.`,
  flags: [{
    title: "Flags",
    flags: [jsonFlag("what was written as one object")],
  }],
  exit: [
    [0, "paid (or nothing owed)"],
    [1, "a partition could not be written (it stays owed; see the error)"],
    [2, "bad usage"],
    [3, "the PGlite directory is in use"],
  ],
  run({ config, options, runtime }) {
    const { logger } = runtime;
    return withDatabase(config, logger, async (client) => {
      let paid;
      try {
        paid = await payDebt(client, config.dataDir);
      } catch (err) {
        logger.error(`error: ${errorMessage(err)}`);
        return EXIT.failed;
      }
      const { refreshCatalog } = await import("@pipeline/snapshot/refresh.ts");
      await refreshCatalog({ client, dataDir: config.dataDir }).catch((err) =>
        logger.warn(
          `analytics.duckdb keeps its previous copies of the operations tables: ${
            errorMessage(err)
          }`,
        )
      );
      console.error(formatPayment(paid));
      if (options.json) console.log(JSON.stringify(paid));
      return EXIT.ok;
    });
  },
};
