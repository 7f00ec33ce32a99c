/**
 * Opening the configured database for a command: a Postgres server, or
 * PGlite under DATA_DIR/pglite behind its directory lock.
 * @module
 */
import { join } from "node:path";
import { redactUrl, type RunConfig } from "@pipeline/config.ts";
import { connect, type SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { migrationsFingerprint } from "@pipeline/load/migrations/mod.ts";
import {
  holdsDatabase,
  PGLITE_TEMPLATE_ENV,
  seedPglite,
} from "@pipeline/load/pglite_template.ts";
import { type DirLock, lockDirectory } from "@pipeline/ops/dir_lock.ts";
import { LockedError } from "@pipeline/ops/lock.ts";
import type { Logger } from "@pipeline/ops/logging.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { EXIT } from "@pipeline/cli/exit.ts";

/** An open database and what to release when done. */
export interface OpenDatabase {
  client: SqlClient;
  /** A human name of it (the server URL redacted, or the PGlite path). */
  where: string;
  close(): Promise<void>;
}

/** Options of {@link openDatabase} and {@link withDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Called once PGlite's directory lock is held, before the directory is
   * copied from the template and opened (a few hundred ms), with whether
   * the directory holds no database yet: work that needs no database
   * starts here, and no other process can be doing the same. Not called
   * for a server.
   */
  whileOpening?: ((fresh: boolean) => void) | undefined;
}

/**
 * Opens the configured database: the server, or PGlite under
 * DATA_DIR/pglite after taking its directory lock (one process at a time).
 */
export async function openDatabase(
  config: RunConfig,
  options: OpenDatabaseOptions = {},
): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const client = await connect({ kind: "postgres", url: config.databaseUrl });
    return {
      client,
      where: redactUrl(config.databaseUrl),
      close: () => client.close(),
    };
  }
  const dir = join(config.dataDir, "pglite");
  const lock: DirLock = lockDirectory(dir);
  try {
    options.whileOpening?.(!holdsDatabase(dir));
    await seedFromTemplate(dir);
    const client = await connect({ kind: "pglite", dataDir: dir });
    return {
      client,
      where: dir,
      async close() {
        try {
          await client.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * A new PGlite directory starts as a copy of the cached template of the
 * current schema (initdb and every migration done once per machine), unless
 * `SLUICE_PGLITE_TEMPLATE=off`. Without a usable cache (no HOME, a
 * read-only folder) the directory is made as before, by PGlite and the
 * migrations.
 */
async function seedFromTemplate(dir: string): Promise<void> {
  if (Deno.env.get(PGLITE_TEMPLATE_ENV) === "off") return;
  try {
    await seedPglite(dir, {
      key: await migrationsFingerprint(),
      prepare: async (client) => {
        await migrateToLatest(client);
      },
    });
  } catch {
    // The template is a shortcut: PGlite makes the directory itself.
  }
}

/**
 * Runs a command's work on the open database and closes it. A locked PGlite
 * directory exits {@link EXIT.locked}; a database that cannot be opened, or
 * an error `fn` throws, is logged and exits {@link EXIT.failed}.
 */
export async function withDatabase(
  config: RunConfig,
  logger: Logger,
  fn: (client: SqlClient) => Promise<number>,
  options: OpenDatabaseOptions = {},
): Promise<number> {
  let db: OpenDatabase;
  try {
    db = await openDatabase(config, options);
  } catch (err) {
    if (err instanceof LockedError) {
      logger.error(`error: ${err.message}`);
      return EXIT.locked;
    }
    const where = config.databaseUrl
      ? redactUrl(config.databaseUrl)
      : join(config.dataDir, "pglite");
    logger.error(
      `error: cannot open the database ${where}: ${errorMessage(err)}`,
    );
    return EXIT.failed;
  }
  try {
    return await fn(db.client);
  } catch (err) {
    logger.error(`error: ${errorMessage(err)}`);
    return EXIT.failed;
  } finally {
    // Closing a database that went away fails too; the command said why.
    await db.close().catch(() => {});
  }
}
