/**
 * The dashboard's reads: `analytics.duckdb` opened read-only for one
 * request and closed after it (the snapshot renames a new catalogue into
 * place, so a reader never holds up a run, and the next request sees the
 * new one). Every query is parameterised (`$1`...).
 * @module
 */
import { openCatalog } from "@pipeline/snapshot/open_catalog.ts";
import { CATALOG_FILE } from "@pipeline/snapshot/catalog_file.ts";
import { PageError } from "@pipeline/serve/page_error.ts";

/** A read-only session on the catalogue. */
export interface Reader {
  /** The rows of `sql` with `$1`... bound to `params`, as plain objects. */
  rows(
    sql: string,
    params?: readonly (string | number)[],
  ): Promise<Record<string, unknown>[]>;
  /** Whether the catalogue has the relation (table or view) `name`. */
  has(name: string): Promise<boolean>;
}

/**
 * Runs `read` on the catalogue of `dataDir`, opened read-only in UTC and
 * closed afterwards.
 * @throws PageError 503 when there is no catalogue yet.
 */
export async function withCatalog<T>(
  dataDir: string,
  read: (reader: Reader) => Promise<T>,
): Promise<T> {
  let catalog;
  try {
    catalog = await openCatalog(dataDir, { timeZone: "UTC" });
  } catch {
    throw new PageError(
      503,
      `No data yet: there is no ${CATALOG_FILE} in the data folder (or it cannot be opened). Run 'deno task etl' first.`,
    );
  }
  const names = new Map<string, boolean>();
  const reader: Reader = {
    async rows(sql, params = []) {
      const result = await catalog.conn.runAndReadAll(sql, [...params]);
      return result.getRowObjectsJson() as Record<string, unknown>[];
    },
    async has(name) {
      if (!names.has(name)) {
        const all = await reader.rows(
          `SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1)
                + (SELECT count(*) FROM duckdb_views() WHERE view_name = $1) AS n`,
          [name],
        );
        names.set(name, Number(all[0]?.n ?? 0) > 0);
      }
      return names.get(name)!;
    },
  };
  try {
    return await read(reader);
  } finally {
    catalog.close();
  }
}

/** Throws a 503 naming `name` unless the catalogue has it. */
export async function requireRelation(
  reader: Reader,
  name: string,
  what: string,
): Promise<void> {
  if (!await reader.has(name)) {
    throw new PageError(
      503,
      `No ${what} yet: the catalogue has no ${name}. Run 'deno task etl' first.`,
    );
  }
}
