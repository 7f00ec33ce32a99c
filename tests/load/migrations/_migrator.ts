/**
 * A Kysely `Migrator` over every migration of `pipeline/load/migrations/`,
 * for the migration tests to move a database to one of them, up or down.
 * @module
 */
import { Migrator } from "kysely/migration";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import { loadMigrations } from "@pipeline/load/migrations/mod.ts";

/** The migrator the job uses (same bookkeeping tables), over `client`. */
export function migrator(client: SqlClient): Migrator {
  return new Migrator({
    db: kyselyFor(client),
    provider: { getMigrations: async () => ({ ...await loadMigrations() }) },
    migrationTableName: "etl_migrations",
    migrationLockTableName: "etl_migrations_lock",
  });
}
