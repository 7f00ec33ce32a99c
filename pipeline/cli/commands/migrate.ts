/**
 * `deno task etl migrate`: applies the pending migrations.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";

/** The `migrate` command. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "apply the database migrations and exit",
  usage: "deno task etl migrate [FLAGS]",
  description:
    "Applies the pending schema migrations (runs also apply them automatically).",
  flags: [],
  exit: [[0, "ok"], [1, "a migration failed"], [2, "bad usage"], [
    3,
    "the PGlite directory is in use",
  ]],
  run({ config, runtime }) {
    const { logger } = runtime;
    return withDatabase(config, logger, async (client) => {
      const { applied } = await migrateToLatest(client);
      logger.info(
        applied.length
          ? `applied ${applied.length} migrations: ${applied.join(", ")}`
          : "schema is up to date",
      );
      return EXIT.ok;
    });
  },
};
