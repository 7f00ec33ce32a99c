/**
 * Applies the schema migrations (Kysely's Migrator over a {@link SqlClient}).
 * @module
 */
import type { MigrationResult } from "kysely/migration";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import {
  loadMigrations,
  migrationNames,
} from "@pipeline/load/migrations/mod.ts";
import { EtlError } from "@pipeline/errors.ts";

/** Kysely's table of applied migrations. */
const MIGRATION_TABLE = "etl_migrations";

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
  // Up to date is the common case: one query compares the applied list with
  // the known one, and neither the migrations nor Kysely's Migrator load.
  if (await upToDate(client)) return { applied: [] };
  const { Migrator } = await import("kysely/migration");
  const db = kyselyFor(client);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...await loadMigrations() }) },
    migrationTableName: MIGRATION_TABLE,
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

/**
 * Whether the applied migrations are exactly the known ones, in one query.
 * Anything else (no table yet, one missing, an unknown one applied by a
 * newer version, a failed query) is left to the Migrator, which applies,
 * reports or fails with the cause.
 */
async function upToDate(client: SqlClient): Promise<boolean> {
  const [known, applied] = await Promise.all([
    migrationNames(),
    client.query<{ names: string | null }>(
      `SELECT string_agg(name, ',' ORDER BY name) AS names
         FROM ${MIGRATION_TABLE}`,
    ).then((r) => r.rows[0]?.names ?? null, () => null),
  ]);
  return applied !== null && applied === known.join(",");
}
