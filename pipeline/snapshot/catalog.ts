/**
 * The DuckDB side of the lake: the Parquet files on disk, and the database
 * (`analytics.duckdb`) that makes them queryable from any DuckDB client as one
 * view per table plus a `lake_files` table listing the files.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { EtlError } from "@pipeline/errors.ts";
import { assertIdentifier } from "@pipeline/snapshot/columns.ts";
import {
  type LakeGranularity,
  parsePartitionDir,
  partitionKey,
  periodOf,
} from "@pipeline/snapshot/granularity.ts";

/** A Parquet file of the lake. */
export interface LakeFile {
  /** Table the file belongs to. */
  table: string;
  /**
   * The first UTC day of its partition, `YYYY-MM-DD`: the date of a
   * `date=` partition, the first of the month or year of the others.
   */
  date: string;
  /** Absolute path of the file. */
  path: string;
  /** Rows in the file. */
  rows: number;
}

/**
 * The partition directory name holding a date: `date=YYYY-MM-DD` by day
 * (the default), `month=YYYY-MM`, `year=YYYY`.
 */
export function partitionDir(
  date: string,
  granularity: LakeGranularity = "day",
): string {
  return periodOf(date, granularity).dir;
}

/**
 * Lists the Parquet files of one table of the lake: every
 * `<lakeDir>/<table>/date=YYYY-MM-DD/*.parquet` (or `month=YYYY-MM`,
 * `year=YYYY` for those granularities), sorted by path.
 *
 * @param lakeDir The lake root (absolute).
 * @param table Table name (validated identifier).
 * @param granularity The table's partitioning. Default `day`.
 * @returns `{ date, path }` per file, `date` the partition's first day;
 *   empty when the table has no directory.
 */
export async function listLakeFiles(
  lakeDir: string,
  table: string,
  granularity: LakeGranularity = "day",
): Promise<{ date: string; path: string }[]> {
  const tableDir = `${lakeDir}/${assertIdentifier(table, "table")}`;
  const found: { date: string; path: string }[] = [];
  try {
    for await (const part of Deno.readDir(tableDir)) {
      const period = parsePartitionDir(part.name);
      if (!part.isDirectory || period?.granularity !== granularity) continue;
      const date = period.start;
      for await (const file of Deno.readDir(`${tableDir}/${part.name}`)) {
        if (file.isFile && file.name.endsWith(".parquet")) {
          found.push({ date, path: `${tableDir}/${part.name}/${file.name}` });
        }
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return found.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** A SQL string literal of `text` (single quotes doubled). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The view body over a table's Parquet files. Paths are absolute because
 * DuckDB resolves a relative path in a view against the working directory of
 * the process that queries the view, not against the database file, so a
 * relative view would break for a notebook started in another directory.
 *
 * @param lakeDir The lake root (absolute, free of glob characters).
 * @param table Table name (validated identifier).
 * @param granularity The table's partitioning. Default `day`.
 * @returns A `SELECT` over `read_parquet` with the partition column: `date`
 *   as `DATE`, or `month` (`YYYY-MM`) or `year` (`YYYY`) as `VARCHAR`.
 */
export function lakeViewSql(
  lakeDir: string,
  table: string,
  granularity: LakeGranularity = "day",
): string {
  const key = partitionKey(granularity);
  const glob = `${lakeDir}/${
    assertIdentifier(table, "table")
  }/${key}=*/*.parquet`;
  const type = granularity === "day" ? "DATE" : "VARCHAR";
  return `SELECT * FROM read_parquet(${
    sqlString(glob)
  }, hive_partitioning = true, hive_types = {'${key}': ${type}}, union_by_name = true)`;
}

/** Options of {@link registerLake}. */
export interface RegisterLakeOptions {
  /** The DuckDB database file; created when missing. */
  duckdbPath: string;
  /** The lake root (absolute). */
  lakeDir: string;
  /** Tables whose view and `lake_files` rows are refreshed. */
  tables: readonly string[];
  /** Per table its partitioning; a table not listed is by `day`. */
  granularities?: ReadonlyMap<string, LakeGranularity>;
  /** Per table, the dates this snapshot rewrote (their old rows are dropped). */
  touched: ReadonlyMap<string, readonly string[]>;
  /** Files this snapshot wrote. */
  written: readonly LakeFile[];
  /** When this snapshot ran; stored as `lake_files.snapshot_at`. */
  snapshotAt: Date;
}

/** DDL of the `lake_files` table. */
export const LAKE_FILES_DDL = `CREATE TABLE IF NOT EXISTS lake_files (
  table_name VARCHAR NOT NULL,
  date DATE NOT NULL,
  file VARCHAR NOT NULL PRIMARY KEY,
  rows BIGINT NOT NULL,
  snapshot_at TIMESTAMPTZ NOT NULL
)`;

/**
 * Registers the lake in the DuckDB database at `duckdbPath`, in one
 * transaction: for each table, `CREATE OR REPLACE VIEW <table>` over its
 * Parquet files, or `DROP VIEW IF EXISTS <table>` when it has none (a view
 * over a glob that matches nothing fails to query); and `lake_files` updated:
 * rows of rewritten dates and of files gone from disk removed, the written
 * files added, and files on disk without a row (e.g. after the database file
 * was deleted) added from their Parquet footer with their modification time.
 * The database is closed before returning so other processes can open it.
 *
 * @param options See {@link RegisterLakeOptions}.
 * @throws EtlError (stage `snapshot`): transient when the database cannot be
 *   opened (another process may hold its lock), terminal otherwise.
 */
export async function registerLake(
  options: RegisterLakeOptions,
): Promise<void> {
  const { duckdbPath, lakeDir, tables, touched, written, snapshotAt } = options;
  const granularityOf = (table: string) =>
    options.granularities?.get(table) ?? "day";
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(duckdbPath);
  } catch (cause) {
    throw new EtlError(
      `cannot open ${duckdbPath} (is another process holding it open?)`,
      { stage: "snapshot", transient: true, cause },
    );
  }
  let table = "";
  try {
    const conn = await instance.connect();
    try {
      await conn.run("BEGIN TRANSACTION");
      try {
        await conn.run(LAKE_FILES_DDL);
        for (table of tables) {
          const onDisk = await listLakeFiles(
            lakeDir,
            table,
            granularityOf(table),
          );
          const onDiskPaths = new Set(onDisk.map((f) => f.path));
          const recorded = (await conn.runAndReadAll(
            "SELECT file FROM lake_files WHERE table_name = $1",
            [table],
          )).getRowsJS().map((r) => String(r[0]));
          // One statement per step, the lists passed as JSON: a snapshot of
          // a year touches hundreds of dates, and a statement per date cost
          // more than writing the small tables' files.
          await conn.run(
            `DELETE FROM lake_files WHERE table_name = $1 AND date IN (
               SELECT CAST(unnest(from_json($2, '["VARCHAR"]')) AS DATE))`,
            [table, JSON.stringify(touched.get(table) ?? [])],
          );
          await conn.run(
            `DELETE FROM lake_files WHERE file IN (
               SELECT unnest(from_json($1, '["VARCHAR"]')))`,
            [JSON.stringify(recorded.filter((f) => !onDiskPaths.has(f)))],
          );
          const mine = written.filter((w) => w.table === table);
          if (mine.length > 0) {
            await conn.run(
              `INSERT INTO lake_files
               SELECT $1, CAST(f.date AS DATE), f.path, f.rows,
                      CAST($3 AS TIMESTAMPTZ)
               FROM (SELECT unnest(from_json($2,
                 '[{"date":"VARCHAR","path":"VARCHAR","rows":"BIGINT"}]')) AS f)`,
              [
                table,
                JSON.stringify(
                  mine.map(({ date, path, rows }) => ({ date, path, rows })),
                ),
                snapshotAt.toISOString(),
              ],
            );
          }
          const known = new Set(
            (await conn.runAndReadAll(
              "SELECT file FROM lake_files WHERE table_name = $1",
              [table],
            )).getRowsJS().map((r) => String(r[0])),
          );
          for (const f of onDisk.filter((d) => !known.has(d.path))) {
            const mtime = (await Deno.stat(f.path)).mtime ?? snapshotAt;
            await conn.run(
              `INSERT INTO lake_files
               SELECT $1, CAST($2 AS DATE), $3, num_rows, CAST($4 AS TIMESTAMPTZ)
                 FROM parquet_file_metadata($3)`,
              [table, f.date, f.path, mtime.toISOString()],
            );
          }
          await conn.run(
            onDisk.length > 0
              ? `CREATE OR REPLACE VIEW "${table}" AS ${
                lakeViewSql(lakeDir, table, granularityOf(table))
              }`
              : `DROP VIEW IF EXISTS "${table}"`,
          );
        }
        await conn.run("COMMIT");
      } catch (err) {
        await conn.run("ROLLBACK").catch(() => {});
        throw err;
      }
    } finally {
      conn.closeSync();
    }
  } catch (cause) {
    throw new EtlError(`cannot register the lake in ${duckdbPath}`, {
      stage: "snapshot",
      partition: table || undefined,
      cause,
    });
  } finally {
    instance.closeSync();
  }
}
