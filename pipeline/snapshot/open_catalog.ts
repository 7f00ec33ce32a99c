/**
 * Opening the catalogue for reading: `<dataDir>/analytics.duckdb`
 * read-only, its `file_search_path` set to the data directory so the lake
 * views' relative paths resolve wherever the process runs and wherever the
 * data folder was moved.
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { CATALOG_FILE } from "@pipeline/snapshot/catalog_file.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";

/** Options of {@link openCatalog}. */
export interface OpenCatalogOptions {
  /**
   * The session time zone (an IANA name): how `TIMESTAMPTZ` values cast to
   * text and to dates. Default `UTC`.
   */
  timeZone?: string;
}

/** An open, read-only catalogue. */
export interface CatalogConnection {
  /** The catalogue file (absolute). */
  path: string;
  /** A connection to it. */
  conn: DuckDBConnection;
  /** Closes the connection and the database. */
  close(): void;
}

/**
 * Opens `<dataDir>/analytics.duckdb` read-only (other readers and the
 * snapshot's rename into place go on meanwhile).
 *
 * @throws EtlError (stage `config`) when there is no catalogue in
 *   `dataDir`, or it cannot be opened.
 */
export async function openCatalog(
  dataDir: string,
  options: OpenCatalogOptions = {},
): Promise<CatalogConnection> {
  const { timeZone = "UTC" } = options;
  let root: string;
  try {
    root = await Deno.realPath(dataDir);
    await Deno.stat(`${root}/${CATALOG_FILE}`);
  } catch {
    throw new EtlError(
      `no catalogue at ${dataDir}/${CATALOG_FILE}: run 'deno task etl' first, or pass --data-dir`,
      { stage: "config" },
    );
  }
  const path = `${root}/${CATALOG_FILE}`;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  } catch (cause) {
    throw new EtlError(`cannot open ${path}: ${errorMessage(cause)}`, {
      stage: "config",
      transient: true,
      cause,
    });
  }
  try {
    const conn = await instance.connect();
    await conn.run(
      `SET file_search_path = ${sqlString(root)}; SET TimeZone = ${
        sqlString(timeZone)
      }`,
    );
    return {
      path,
      conn,
      close() {
        conn.closeSync();
        instance.closeSync();
      },
    };
  } catch (cause) {
    instance.closeSync();
    throw new EtlError(`cannot open ${path}: ${errorMessage(cause)}`, {
      stage: "config",
      cause,
    });
  }
}
