/**
 * Snapshot diffs: which keys of a lake table were inserted, updated or
 * deleted between two daily snapshots, computed in DuckDB over the Parquet
 * files, for sources that carry no updated-at column.
 *
 * Two files are compared with a FULL OUTER JOIN on the key (null-safe) and
 * a null-safe comparison (`IS DISTINCT FROM`) of every other column both
 * files have, except bookkeeping columns that change without the data
 * changing (`load_id`, and per table e.g. the snapshot's `as_of`). A key
 * only in the newer file is inserted, only in the older one deleted, in
 * both with any compared column different updated. Keys must be unique in
 * each file; a duplicate key is an error, since the diff could not be exact.
 *
 * Which snapshot feeds the symbol merge: the lake table `symbols_ref`, the
 * daily export of the view of the same name, i.e. `dim_symbol`'s current
 * versions as they stood after that day's reference load. That is the full
 * reference as loaded (the valid records of a full load, plus the symbols
 * held back because their records were quarantined, at their previous
 * version), and, unlike a copy of the file as delivered, it is exactly the
 * state the next merge starts from whenever no load ran since, which the
 * load checks before it trusts a diff (see `@pipeline/datasets/symbols/dim_symbol.ts`).
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { EtlError } from "@pipeline/errors.ts";
import { listLakeFiles, sqlString } from "@pipeline/snapshot/catalog.ts";
import { IDENTIFIER_PATTERN } from "@pipeline/snapshot/columns.ts";
import { parseSnapshotDates } from "@pipeline/snapshot/lake.ts";

/** One key of a diff: key column → value (JSON: timestamps as text). */
export type DiffKey = Record<string, string | number | boolean | null>;

/** The keys found changed between two snapshots, each list sorted by key. */
export interface DiffKeys {
  /** The columns compared (besides the key). */
  columns: string[];
  /** Keys only in the newer snapshot. */
  inserted: DiffKey[];
  /** Keys in both whose compared columns differ. */
  updated: DiffKey[];
  /** Keys only in the older snapshot. */
  deleted: DiffKey[];
}

/** A diff of two dates' snapshots of a lake table. */
export interface SnapshotDiff extends DiffKeys {
  table: string;
  /** The key columns. */
  key: string[];
  /** The older date, `YYYY-MM-DD`. */
  from: string;
  /** The newer date, `YYYY-MM-DD`. */
  to: string;
}

/** Columns no diff compares: lineage, not data. */
export const DIFF_ALWAYS_IGNORED = ["load_id"] as const;

/**
 * A diff that cannot be computed as asked: an unknown table, a date without
 * a snapshot, a key that is not a column or not unique. Not transient.
 */
export class DiffInputError extends EtlError {
  constructor(message: string, partition: string) {
    super(message, { stage: "snapshot", partition });
    this.name = "DiffInputError";
  }
}

/** Checks a table or column name against `IDENTIFIER_PATTERN`. */
function identifier(name: string, what: string, partition: string): string {
  if (IDENTIFIER_PATTERN.test(name)) return name;
  throw new DiffInputError(
    `invalid ${what} name ${
      JSON.stringify(name)
    }: expected ${IDENTIFIER_PATTERN}`,
    partition,
  );
}

/** The dates a table has snapshots for, ascending; empty when none. */
export async function snapshotDates(
  lakeDir: string,
  table: string,
): Promise<string[]> {
  const files = await listLakeFiles(lakeDir, identifier(table, "table", table));
  return [...new Set(files.map((f) => f.date))].sort();
}

/**
 * The Parquet files of `table` on `date`.
 *
 * @throws DiffInputError naming the dates there are when there are none.
 */
export async function snapshotFiles(
  lakeDir: string,
  table: string,
  date: string,
): Promise<string[]> {
  const [day] = parseSnapshotDates([date]);
  const files = await listLakeFiles(lakeDir, identifier(table, "table", table));
  const found = files.filter((f) => f.date === day).map((f) => f.path);
  if (found.length > 0) return found;
  const dates = [...new Set(files.map((f) => f.date))].sort();
  throw new DiffInputError(
    dates.length === 0
      ? `no snapshots of table ${table} in ${lakeDir}`
      : `no snapshot of ${table} on ${day}; it has ${dates.length} (${
        dates.length > 6
          ? `${dates.slice(0, 3).join(", ")}, …, ${dates.slice(-2).join(", ")}`
          : dates.join(", ")
      })`,
    `${table} date=${day}`,
  );
}

/** The newest snapshot of `table` strictly before `date`, if any. */
export async function latestSnapshotBefore(
  lakeDir: string,
  table: string,
  date: string,
): Promise<{ date: string; files: string[] } | null> {
  const earlier = (await snapshotDates(lakeDir, table)).filter((d) => d < date);
  const last = earlier.at(-1);
  return last === undefined
    ? null
    : { date: last, files: await snapshotFiles(lakeDir, table, last) };
}

/** Options of {@link diffParquet}. */
export interface DiffParquetOptions {
  /** The older Parquet files (read as one relation). */
  from: readonly string[];
  /** The newer Parquet files. */
  to: readonly string[];
  /** Key columns, unique in each side. */
  key: readonly string[];
  /**
   * Columns to compare. Default: every column both sides have, except the
   * key and `ignore`.
   */
  columns?: readonly string[] | undefined;
  /** Columns never compared. Default `["load_id"]`. */
  ignore?: readonly string[] | undefined;
  /** Names the diff in errors (`symbols_ref 2026-11-20..2026-11-21`). */
  label?: string | undefined;
}

/**
 * Compares two sets of Parquet files in DuckDB (see the module doc).
 *
 * @throws DiffInputError when a key or compared column is missing on a side
 *   or a key is not unique; EtlError (stage `snapshot`) when DuckDB fails.
 */
export async function diffParquet(
  options: DiffParquetOptions,
): Promise<DiffKeys> {
  const { from, to, ignore = DIFF_ALWAYS_IGNORED, label = "snapshot diff" } =
    options;
  const key = options.key.map((k) => identifier(k, "key column", label));
  if (key.length === 0) throw new DiffInputError("no key columns", label);
  const read = (paths: readonly string[]) =>
    `(SELECT *, true AS __present FROM read_parquet([${
      paths.map(sqlString).join(", ")
    }], hive_partitioning = false))`;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:");
  } catch (cause) {
    throw new EtlError("cannot start DuckDB", {
      stage: "snapshot",
      partition: label,
      cause,
    });
  }
  try {
    const conn = await instance.connect();
    try {
      const run = async (sql: string) => {
        try {
          return (await conn.runAndReadAll(sql)).getRowObjectsJson();
        } catch (cause) {
          throw new EtlError(`DuckDB failed on ${label}`, {
            stage: "snapshot",
            partition: label,
            cause,
          });
        }
      };
      await run("SET TimeZone = 'UTC'");
      await run(`CREATE TEMP VIEW f AS SELECT * FROM ${read(from)}`);
      await run(`CREATE TEMP VIEW t AS SELECT * FROM ${read(to)}`);
      const columnsOf = async (view: string) =>
        (await run(`DESCRIBE ${view}`)).map((r) => String(r.column_name))
          .filter((c) => c !== "__present");
      const fromColumns = await columnsOf("f");
      const toColumns = await columnsOf("t");
      for (
        const [side, cols] of [["older", fromColumns], [
          "newer",
          toColumns,
        ]] as const
      ) {
        const missing = key.filter((k) => !cols.includes(k));
        if (missing.length > 0) {
          throw new DiffInputError(
            `key column ${
              missing.join(", ")
            } is not in the ${side} snapshot (columns: ${cols.join(", ")})`,
            label,
          );
        }
      }
      const columns = options.columns
        ? options.columns.map((c) => identifier(c, "column", label))
        : fromColumns.filter((c) =>
          toColumns.includes(c) && !key.includes(c) && !ignore.includes(c) &&
          IDENTIFIER_PATTERN.test(c)
        );
      for (const c of columns) {
        if (!fromColumns.includes(c) || !toColumns.includes(c)) {
          throw new DiffInputError(
            `column ${c} is not in both snapshots`,
            label,
          );
        }
      }
      const keyList = key.map((k) => `"${k}"`).join(", ");
      for (const view of ["f", "t"]) {
        const [dup] = await run(
          `SELECT count(*)::INTEGER AS n FROM (
             SELECT ${keyList} FROM ${view} GROUP BY ALL HAVING count(*) > 1)`,
        );
        if (Number(dup?.n ?? 0) > 0) {
          throw new DiffInputError(
            `key (${key.join(", ")}) is not unique in the ${
              view === "f" ? "older" : "newer"
            } snapshot: ${dup?.n} keys repeat`,
            label,
          );
        }
      }
      const differs = columns.length === 0
        ? "false"
        : columns.map((c) => `f."${c}" IS DISTINCT FROM t."${c}"`).join(
          " OR ",
        );
      const rows = await run(
        `SELECT CASE WHEN f.__present IS NULL THEN 'insert'
                     WHEN t.__present IS NULL THEN 'delete'
                     ELSE 'update' END AS __change,
                ${
          key.map((k) =>
            `CASE WHEN t.__present THEN t."${k}" ELSE f."${k}" END AS "${k}"`
          ).join(", ")
        }
         FROM f FULL OUTER JOIN t
           ON ${
          key.map((k) => `f."${k}" IS NOT DISTINCT FROM t."${k}"`).join(" AND ")
        }
         WHERE f.__present IS NULL OR t.__present IS NULL OR (${differs})
         ORDER BY ${keyList}`,
      );
      const out: DiffKeys = {
        columns,
        inserted: [],
        updated: [],
        deleted: [],
      };
      for (const row of rows) {
        const k = Object.fromEntries(
          key.map((c) => [c, row[c] ?? null]),
        ) as DiffKey;
        if (row.__change === "insert") out.inserted.push(k);
        else if (row.__change === "delete") out.deleted.push(k);
        else out.updated.push(k);
      }
      return out;
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Options of {@link diffSnapshots}. */
export interface DiffSnapshotsOptions {
  /** The lake root (`<dataDir>/lake`). */
  lakeDir: string;
  /** A table of the lake. */
  table: string;
  /**
   * Key columns: the table's declared key (`lakeTables()` of
   * `@pipeline/datasets/lake_tables.ts`) or the user's.
   */
  key?: readonly string[] | undefined;
  /** The older date, `YYYY-MM-DD`. */
  from: string;
  /** The newer date, `YYYY-MM-DD`. */
  to: string;
  /**
   * Columns never compared besides {@link DIFF_ALWAYS_IGNORED} (the
   * table's declared `diffIgnore`). Default none.
   */
  ignore?: readonly string[] | undefined;
}

/**
 * The keys of `table` inserted, updated and deleted from the snapshot of
 * `from` to the snapshot of `to`.
 *
 * @throws DiffInputError for an unknown table, a date without a snapshot, a
 *   table without a default key and no `key`, or a bad key.
 *
 * @example
 * ```ts ignore
 * const diff = await diffSnapshots({
 *   lakeDir: "data/lake", table: "symbols_ref", key: ["symbol"],
 *   from: "2026-11-20", to: "2026-11-21",
 * });
 * diff.updated; // [{ symbol: "B" }]
 * ```
 */
export async function diffSnapshots(
  options: DiffSnapshotsOptions,
): Promise<SnapshotDiff> {
  const { lakeDir, table, from, to } = options;
  identifier(table, "table", table);
  const key = [...(options.key ?? [])];
  if (key.length === 0) {
    throw new DiffInputError(
      `table ${table} has no default key: name its key columns`,
      table,
    );
  }
  const [fromFiles, toFiles] = [
    await snapshotFiles(lakeDir, table, from),
    await snapshotFiles(lakeDir, table, to),
  ];
  const keys = await diffParquet({
    from: fromFiles,
    to: toFiles,
    key,
    ignore: [...DIFF_ALWAYS_IGNORED, ...(options.ignore ?? [])],
    label: `${table} ${from}..${to}`,
  });
  return { table, key, from, to, ...keys };
}
