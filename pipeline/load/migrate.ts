/**
 * Applies the schema migrations (Kysely's Migrator over a {@link SqlClient}).
 * @module
 */
import { type MigrationResult, Migrator } from "kysely/migration";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import { loadMigrations } from "@pipeline/load/migrations/mod.ts";
import { EtlError } from "@pipeline/errors.ts";

/** What {@link migrateToLatest} applied. */
export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when up to date). */
  applied: string[];
}

/**
 * Brings the database schema to the latest migration. Safe to call on every
 * run: applied migrations are recorded and skipped, and a session advisory
 * lock keeps two processes from migrating at once.
 */
export async function migrateToLatest(
  client: SqlClient,
): Promise<MigrateResult> {
  const db = kyselyFor(client);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...await loadMigrations() }) },
    migrationTableName: "etl_migrations",
    migrationLockTableName: "etl_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? [])
    .filter((r: MigrationResult) => r.status === "Success")
    .map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new EtlError(
      `migration ${failed ?? "(unknown)"} failed: ${String(error)}`,
      { stage: "load", cause: error },
    );
  }
  return { applied };
}
