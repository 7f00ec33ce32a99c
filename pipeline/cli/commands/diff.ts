/**
 * `deno task etl diff`: two daily snapshots of a lake table compared.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { payDebtFirst } from "@pipeline/cli/lake_debt.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";

/** The `diff` command. */
export const diffCommand: Command = {
  name: "diff",
  summary:
    "compare two daily snapshots of a lake table: inserted, updated and deleted keys, recorded in etl_snapshot_diffs",
  usage: "deno task etl diff --table T --from D1 --to D2 [FLAGS]",
  description:
    `Compares the Parquet snapshots of table T (DATA_DIR/lake/T/date=D/) of two
dates in DuckDB: a key only on D2 is inserted, only on D1 deleted, on both
with any other column different (nulls compared as values; load_id and
snapshot bookkeeping ignored) updated. Prints the counts and keys and records
them in etl_snapshot_diffs (a later diff of the same dates replaces them).`,
  flags: [{
    title: "Flags",
    flags: [
      {
        name: "table",
        value: "NAME",
        help: "a lake table, e.g. symbols_ref",
        key: "table",
      },
      {
        name: "from",
        value: "DATE",
        help: "the older snapshot date, YYYY-MM-DD",
        key: "from",
      },
      {
        name: "to",
        value: "DATE",
        help: "the newer snapshot date, YYYY-MM-DD",
        key: "to",
      },
      {
        name: "key",
        value: "A,B",
        help: "key columns",
        key: "key",
        shownDefault:
          "the table's key, e.g. symbol for symbols_ref, symbol,ts for bars_1m",
      },
      jsonFlag("the diff as one object"),
    ],
  }],
  exit: [
    [0, "done"],
    [1, "the lake or the database could not be read"],
    [
      2,
      "bad usage: a missing flag, an unknown table, a date without a snapshot, a key that is not a unique column",
    ],
  ],
  run({ config, options, runtime }) {
    return withDatabase(
      config,
      runtime.logger,
      async (client) => {
        await payDebtFirst(client, {
          dataDir: config.dataDir,
          logger: runtime.logger,
        });
        const { diffCommand: diffSnapshots } = await import(
          "@pipeline/warehouse/diff_command.ts"
        );
        return await diffSnapshots(client, {
          dataDir: config.dataDir,
          table: options.table as string | undefined,
          from: options.from as string | undefined,
          to: options.to as string | undefined,
          key: options.key as string | undefined,
          json: options.json as boolean,
        });
      },
    );
  },
};
