/**
 * The catalogue file (`<dataDir>/analytics.duckdb`) is never written in
 * place: a writer builds a new file under a staging name next to it
 * (`<dataDir>/.staging-catalog-<uuid>.duckdb`, started from a copy of the
 * current one) and renames it over the old one. A reader holding the old
 * file open (a notebook, `deno task query`, a DuckDB shell) keeps reading
 * the old catalogue and never makes a writer fail; a new reader sees the new
 * one. A killed writer's staging file is removed with the other staging
 * leftovers (`@pipeline/snapshot/staging.ts`).
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { dirname } from "node:path";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";
import { CATALOG_STAGING_PREFIX } from "@pipeline/snapshot/staging.ts";

/** The catalogue's file name inside the data directory. */
export const CATALOG_FILE = "analytics.duckdb";

/**
 * The layout of the catalogue this code writes, kept in its `catalog_info`
 * table: 2 = views and `lake_files` hold paths relative to the data
 * directory. A copy of another layout is not reused: the new file is built
 * from the lake on disk.
 */
export const CATALOG_LAYOUT = 2;

/** What {@link rebuildCatalog} hands the builder. */
export interface CatalogBuild {
  /** A connection to the new file; its `file_search_path` is the data dir. */
  conn: DuckDBConnection;
  /**
   * True when the new file started empty (no catalogue yet, or one that
   * could not be read or has another layout): everything must be rebuilt.
   */
  fresh: boolean;
}

/** Removes `path`; a missing file is fine. */
async function removeFile(path: string): Promise<void> {
  await Deno.remove(path).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/** Whether `path` exists. */
async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Copies the current catalogue (and a WAL a crashed writer left) to `to`. */
async function copyCatalog(from: string, to: string): Promise<boolean> {
  if (!(await exists(from))) return false;
  await Deno.copyFile(from, to);
  if (await exists(`${from}.wal`)) {
    await Deno.copyFile(`${from}.wal`, `${to}.wal`);
  }
  return true;
}

/** The layout recorded in the open catalogue, or null. */
async function layoutOf(conn: DuckDBConnection): Promise<number | null> {
  try {
    const rows = (await conn.runAndReadAll(
      "SELECT value FROM catalog_info WHERE key = 'layout'",
    )).getRowsJS();
    return rows.length > 0 ? Number(rows[0]![0]) : null;
  } catch {
    return null;
  }
}

/** Opens the DuckDB file at `path`. */
async function open(
  path: string,
  dataDir: string,
): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(path);
  try {
    const conn = await instance.connect();
    await conn.run(`SET file_search_path = ${sqlString(dataDir)}`);
    return { instance, conn };
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

/**
 * Builds a new catalogue for `duckdbPath` and renames it into place: copies
 * the current file (when it exists and has this {@link CATALOG_LAYOUT}),
 * runs `build` on it, records the layout, checkpoints, closes it and
 * renames it over `duckdbPath`. On any failure the staging file goes and
 * the current catalogue stays as it was.
 *
 * @param duckdbPath The catalogue (absolute); its directory is the data
 *   directory, against which relative lake paths resolve.
 * @param build Fills the new file.
 * @throws EtlError (stage `snapshot`) naming the file and the cause; the
 *   build's own `EtlError`s pass through.
 */
export async function rebuildCatalog<T>(
  duckdbPath: string,
  build: (catalog: CatalogBuild) => Promise<T>,
): Promise<T> {
  const dataDir = dirname(duckdbPath);
  // Next to the catalogue, not in the lake: the lake may be another file
  // system (a mount), and a rename does not cross one.
  const staging =
    `${dataDir}/${CATALOG_STAGING_PREFIX}${crypto.randomUUID()}.duckdb`;
  const fail = (what: string, cause: unknown) =>
    cause instanceof EtlError ? cause : new EtlError(
      `${what}: ${errorMessage(cause)}`,
      { stage: "snapshot", partition: "catalog", cause },
    );
  const cleanUp = async () => {
    await removeFile(staging).catch(() => {});
    await removeFile(`${staging}.wal`).catch(() => {});
  };
  let result: T;
  try {
    let fresh = true;
    let db: Awaited<ReturnType<typeof open>> | undefined;
    try {
      if (await copyCatalog(duckdbPath, staging)) {
        db = await open(staging, dataDir);
        fresh = (await layoutOf(db.conn)) !== CATALOG_LAYOUT;
      }
    } catch {
      // Unreadable (a torn copy, another version's file): start empty.
      fresh = true;
    }
    if (fresh) {
      db?.conn.closeSync();
      db?.instance.closeSync();
      await cleanUp();
      db = await open(staging, dataDir);
    }
    const { instance, conn } = db!;
    try {
      // One transaction: each statement committed on its own cost a write
      // of the log each; the ops tables' copy took 171 - 253 ms so, 115 -
      // 148 ms in one. The rename, not the transaction, makes it atomic.
      await conn.run("BEGIN TRANSACTION");
      result = await build({ conn, fresh });
      await conn.run(
        `CREATE TABLE IF NOT EXISTS catalog_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
         INSERT OR REPLACE INTO catalog_info VALUES ('layout', '${CATALOG_LAYOUT}');
         COMMENT ON TABLE catalog_info IS 'the layout of this catalogue file';
         COMMIT;
         CHECKPOINT`,
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    // A WAL next to the old file would be replayed into the new one.
    await removeFile(`${duckdbPath}.wal`);
    await Deno.rename(staging, duckdbPath);
  } catch (cause) {
    await cleanUp();
    throw fail(`cannot build the catalogue ${duckdbPath}`, cause);
  }
  return result;
}
