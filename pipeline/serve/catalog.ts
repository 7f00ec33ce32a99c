/**
 * The dashboard's reads: `analytics.duckdb` opened read-only. The open
 * database is kept while the file stays the same (inode, size and
 * modification time, one `stat` per request) with its connections (each
 * request takes an idle one, opening one only when none is idle, and gives
 * it back) and what pages worked out from it (`memo`: the symbols, the
 * relations); when a snapshot renames a new catalogue into place the next
 * request opens that one, and the old one is closed once its last request
 * ends. A read-only reader never holds up a run: the snapshot never writes
 * the file in place (see `deno task query`). Every query is parameterised
 * (`$1`...).
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { CATALOG_FILE } from "@pipeline/snapshot/catalog_file.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";
import { PageError } from "@pipeline/serve/page_error.ts";

/** A read-only session on the catalogue. */
export interface Reader {
  /** The data folder (absolute): the lake views' paths are relative to it. */
  root: string;
  /** The rows of `sql` with `$1`... bound to `params`, as plain objects. */
  rows(
    sql: string,
    params?: readonly (string | number)[],
  ): Promise<Record<string, unknown>[]>;
  /** Whether the catalogue has the relation (table or view) `name`. */
  has(name: string): Promise<boolean>;
  /**
   * The value of `compute` under `key`, computed once per catalogue file
   * (a failed computation is forgotten). For what only a new catalogue
   * changes: the symbols the lake holds, its first and last date.
   */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** One opened catalogue file. */
interface OpenCatalog {
  stamp: string;
  root: string;
  instance: DuckDBInstance;
  users: number;
  stale: boolean;
  /** Connections set up and not in use. */
  idle: DuckDBConnection[];
  memo: Map<string, Promise<unknown>>;
}

const OPEN = new Map<string, OpenCatalog>();

function noData(): PageError {
  return new PageError(
    503,
    `No data yet: there is no ${CATALOG_FILE} in the data folder (or it cannot be opened). Run 'deno task etl' first.`,
  );
}

function closeEntry(entry: OpenCatalog): void {
  for (const conn of entry.idle.splice(0)) conn.closeSync();
  entry.instance.closeSync();
}

function release(entry: OpenCatalog): void {
  entry.users--;
  if (entry.stale && entry.users === 0) closeEntry(entry);
}

/**
 * What identifies the catalogue file of `dataDir` now (inode, size,
 * modification time), or undefined when there is none.
 */
export async function catalogStamp(
  dataDir: string,
): Promise<string | undefined> {
  try {
    const info = await Deno.stat(`${dataDir}/${CATALOG_FILE}`);
    return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
  } catch {
    return undefined;
  }
}

/** The open catalogue of `dataDir`, reopened when the file changed. */
async function acquire(dataDir: string): Promise<OpenCatalog> {
  let root: string;
  let stamp: string;
  try {
    root = await Deno.realPath(dataDir);
    const info = await Deno.stat(`${root}/${CATALOG_FILE}`);
    stamp = `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
  } catch {
    throw noData();
  }
  const current = OPEN.get(root);
  if (current && current.stamp === stamp) {
    current.users++;
    return current;
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(`${root}/${CATALOG_FILE}`, {
      access_mode: "READ_ONLY",
    });
  } catch {
    throw noData();
  }
  const latest = OPEN.get(root);
  if (latest) {
    latest.stale = true;
    if (latest.users === 0) closeEntry(latest);
  }
  const entry: OpenCatalog = {
    stamp,
    root,
    instance,
    users: 1,
    stale: false,
    idle: [],
    memo: new Map(),
  };
  OPEN.set(root, entry);
  return entry;
}

/** Closes every catalogue kept open (a server stopping, a test ending). */
export function closeCatalogs(): void {
  for (const entry of OPEN.values()) {
    entry.stale = true;
    if (entry.users === 0) closeEntry(entry);
  }
  OPEN.clear();
}

/**
 * Runs `read` on a connection of its own to the catalogue of `dataDir`
 * (read-only, UTC, the lake's paths relative to the data folder).
 * @throws PageError 503 when there is no catalogue yet.
 */
export async function withCatalog<T>(
  dataDir: string,
  read: (reader: Reader) => Promise<T>,
): Promise<T> {
  const entry = await acquire(dataDir);
  let conn: DuckDBConnection | undefined;
  let reusable = false;
  try {
    conn = entry.idle.pop();
    if (!conn) {
      conn = await entry.instance.connect();
      await conn.run(
        `SET file_search_path = ${sqlString(entry.root)}; SET TimeZone = 'UTC'`,
      );
    }
    const c = conn;
    const reader: Reader = {
      root: entry.root,
      async rows(sql, params = []) {
        const result = await c.runAndReadAll(sql, [...params]);
        return result.getRowObjectsJson() as Record<string, unknown>[];
      },
      has(name) {
        return reader.memo(`has:${name}`, async () => {
          const [row] = await reader.rows(
            `SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1)
                  + (SELECT count(*) FROM duckdb_views() WHERE view_name = $1) AS n`,
            [name],
          );
          return Number(row?.n ?? 0) > 0;
        });
      },
      memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
        let value = entry.memo.get(key) as Promise<T> | undefined;
        if (!value) {
          value = compute();
          entry.memo.set(key, value);
          value.catch(() => entry.memo.delete(key));
        }
        return value;
      },
    };
    const result = await read(reader);
    reusable = true;
    return result;
  } finally {
    if (conn && reusable && !entry.stale) entry.idle.push(conn);
    else conn?.closeSync();
    release(entry);
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
