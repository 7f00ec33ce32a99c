// AUTO-GENERATED from notebooks/05_snapshot.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/05_snapshot.ipynb#module
/**
 * The snapshot stage: after a load, copy the warehouse tables' rows of the
 * touched UTC dates from Postgres to a Parquet lake,
 * `<dataDir>/lake/<table>/date=YYYY-MM-DD/data_0.parquet`, and register the
 * lake in `<dataDir>/analytics.duckdb` so any DuckDB client can query it.
 *
 * Data path per table: one `COPY (SELECT ...) TO STDOUT (FORMAT csv)` covering
 * all touched dates (no DuckDB postgres scanner is available), the bytes into
 * a staging CSV, DuckDB reads it with explicit column types, and writes one
 * Parquet file per date into a staging directory; then each touched date's
 * directory is swapped for the staged one (or removed when the date has no
 * rows), so a failed run leaves the previous files in place.
 * @module
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  type LakeFile,
  partitionDir,
  registerLake,
  sqlString,
} from "@pipeline/snapshot/catalog.ts";
import {
  assertIdentifier,
  describeTable,
  type TableShape,
} from "@pipeline/snapshot/columns.ts";

// %% notebooks/05_snapshot.ipynb#snapshot-table
/** A table to snapshot and the column that decides its date partition. */
export interface SnapshotTable {
  /** Table name, matching `/^[a-z_][a-z0-9_]*$/`. */
  name: string;
  /** A `timestamptz` column; a row belongs to its UTC date. */
  dateColumn: string;
}

// %% notebooks/05_snapshot.ipynb#warehouse-tables
/** The warehouse tables: bars by `ts`, the quarantine by `quarantined_at`. */
export const WAREHOUSE_TABLES: readonly SnapshotTable[] = Object.freeze([
  Object.freeze({ name: "bars_1m", dateColumn: "ts" }),
  Object.freeze({ name: "bars_5m", dateColumn: "ts" }),
  Object.freeze({ name: "bars_1h", dateColumn: "ts" }),
  Object.freeze({ name: "quarantine", dateColumn: "quarantined_at" }),
]);

// %% notebooks/05_snapshot.ipynb#snapshot-options
/** Options of {@link snapshotTables}. */
export interface SnapshotOptions {
  /** The warehouse (PGlite or a server). */
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`; created when missing. */
  dataDir: string;
  /** UTC dates (`YYYY-MM-DD`) this run touched; each is re-exported whole. */
  dates: readonly string[];
  /** Tables to snapshot. Default {@link WAREHOUSE_TABLES}. */
  tables?: readonly SnapshotTable[];
  /** Stamps `lake_files.snapshot_at`. Default {@link systemClock}. */
  clock?: Clock;
}

// %% notebooks/05_snapshot.ipynb#snapshot-table-result
/** What a snapshot wrote for one table. */
export interface SnapshotTableResult {
  /** Table name. */
  name: string;
  /** Touched dates that have rows, now each one Parquet file; sorted. */
  dates: string[];
  /** Rows written over those dates. */
  rows: number;
  /** Absolute paths of the files written. */
  files: string[];
}

// %% notebooks/05_snapshot.ipynb#snapshot-result
/** What {@link snapshotTables} did. */
export interface SnapshotResult {
  /** Absolute path of the DuckDB database holding the views. */
  duckdbPath: string;
  /** Absolute path of the lake root. */
  lakeDir: string;
  /** One entry per snapshotted table, in the order given. */
  tables: SnapshotTableResult[];
}

// %% notebooks/05_snapshot.ipynb#partition-file
/** The file name of a partition's Parquet file (DuckDB's default naming). */
const PARTITION_FILE = "data_0.parquet";

// %% notebooks/05_snapshot.ipynb#parse-snapshot-dates
/**
 * Validates, de-duplicates and sorts partition dates.
 *
 * @param dates `YYYY-MM-DD` strings naming real calendar dates.
 * @returns The dates, unique and ascending.
 * @throws EtlError (stage `snapshot`) naming the first invalid date.
 *
 * @example
 * ```ts
 * import { parseSnapshotDates } from "@pipeline/snapshot/lake.ts";
 * parseSnapshotDates(["2026-11-21", "2026-11-20", "2026-11-21"]);
 * // ["2026-11-20", "2026-11-21"]
 * ```
 */
export function parseSnapshotDates(dates: readonly string[]): string[] {
  for (const date of dates) {
    const m = typeof date === "string"
      ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
      : null;
    const day = m
      ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
      : null;
    if (!day || day.toISOString().slice(0, 10) !== date) {
      throw new EtlError(
        `invalid date ${
          JSON.stringify(date)
        }: expected a YYYY-MM-DD calendar date`,
        { stage: "snapshot", partition: `date=${String(date)}` },
      );
    }
  }
  return [...new Set(dates)].sort();
}

// %% notebooks/05_snapshot.ipynb#date-range-sql
/**
 * A Postgres condition selecting the rows whose `column` falls on one of
 * `dates` (UTC), with consecutive dates merged into one half-open range.
 * Only validated dates and identifiers reach the SQL text.
 *
 * @param column A `timestamptz` column (validated identifier).
 * @param dates `YYYY-MM-DD` dates, checked by {@link parseSnapshotDates}.
 * @returns e.g. `("ts" >= '2026-11-20T00:00:00Z'::timestamptz AND "ts" <
 *   '2026-11-22T00:00:00Z'::timestamptz)`, or `false` for no dates.
 */
export function dateRangeSql(column: string, dates: readonly string[]): string {
  const col = `"${assertIdentifier(column, "column")}"`;
  const ranges: [string, string][] = [];
  for (const date of parseSnapshotDates(dates)) {
    const last = ranges.at(-1);
    if (last && last[1] === date) last[1] = nextDate(date);
    else ranges.push([date, nextDate(date)]);
  }
  if (ranges.length === 0) return "false";
  return ranges.map(([lo, hi]) =>
    `(${col} >= '${lo}T00:00:00Z'::timestamptz AND ${col} < '${hi}T00:00:00Z'::timestamptz)`
  ).join(" OR ");
}

// %% notebooks/05_snapshot.ipynb#next-date
/** The day after a `YYYY-MM-DD` date. */
function nextDate(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

// %% notebooks/05_snapshot.ipynb#attempt
/**
 * Runs `fn`; any failure becomes an {@link EtlError} of stage `snapshot`
 * (terminal: disk and data errors do not heal on retry) for `partition`.
 */
async function attempt<T>(
  partition: string,
  message: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    throw new EtlError(message, { stage: "snapshot", partition, cause });
  }
}

// %% notebooks/05_snapshot.ipynb#remove-if-exists
/** Removes `path` recursively; a missing path is fine. */
async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

// %% notebooks/05_snapshot.ipynb#check-shape
/**
 * Checks that a table can be partitioned by `dateColumn` and does not use the
 * name `date`, which the lake reserves for the hive partition key.
 */
function checkShape(shape: TableShape, dateColumn: string): void {
  const date = shape.columns.find((c) => c.name === dateColumn);
  const problem = !date
    ? `has no column ${dateColumn}`
    : date.pgType !== "timestamp with time zone"
    ? `column ${dateColumn} is ${date.pgType}, not timestamp with time zone`
    : shape.columns.some((c) => c.name === "date")
    ? "has a column named date, reserved for the partition key"
    : null;
  if (problem) {
    throw new EtlError(`table ${shape.name} ${problem}`, {
      stage: "snapshot",
      partition: shape.name,
    });
  }
}

// %% notebooks/05_snapshot.ipynb#copy-to-file
/**
 * Streams a `COPY ... TO STDOUT WITH (FORMAT csv)` into the file at `path`
 * (the output never sits in memory whole: a million bars are ~160 MB).
 *
 * @returns Whether any row was written.
 */
async function copyToFile(
  client: SqlClient,
  sql: string,
  path: string,
): Promise<boolean> {
  return (await client.copyToFile(sql, path)) > 0;
}

// %% notebooks/05_snapshot.ipynb#export-table-options
/** Options of {@link exportTable}. */
interface ExportTableOptions {
  client: SqlClient;
  duck: DuckDBConnection;
  table: SnapshotTable;
  dates: readonly string[];
  stagingDir: string;
}

// %% notebooks/05_snapshot.ipynb#export-table
/**
 * Exports one table's rows of `dates` into
 * `<stagingDir>/<table>/date=D/data_0.parquet`, one file per date that has
 * rows, sorted by the primary key (or all columns) so reruns write the same
 * bytes.
 *
 * @returns The staged files with their dates and row counts.
 */
async function exportTable(options: ExportTableOptions): Promise<LakeFile[]> {
  const { client, duck, table, dates, stagingDir } = options;
  const name = table.name;
  const where = `${name} date=${dates.join(",")}`;
  const shape = await describeTable({ client, table: name });
  checkShape(shape, table.dateColumn);

  const copySql = `COPY (SELECT ${
    shape.columns.map((c) => c.exportSql).join(", ")
  } FROM "${name}" WHERE ${
    dateRangeSql(table.dateColumn, dates)
  }) TO STDOUT WITH (FORMAT csv)`;
  const csvPath = `${stagingDir}/${name}.csv`;
  const hasRows = await attempt(
    where,
    `cannot export ${name} from Postgres to ${csvPath}`,
    () => copyToFile(client, copySql, csvPath),
  );
  if (!hasRows) return [];

  const columnTypes = shape.columns.map((c) =>
    `${sqlString(c.name)}: ${sqlString(c.duckdbType)}`
  ).join(", ");
  await attempt(
    where,
    `cannot read the exported rows of ${name} into DuckDB`,
    async () => {
      // A view, not a table: both passes below stream the file instead of
      // holding every row in DuckDB's memory.
      await duck.run(
        `CREATE OR REPLACE TEMP VIEW snapshot_rows AS
         SELECT * FROM read_csv(${sqlString(csvPath)}, header = false,
           auto_detect = false, delim = ',', quote = '"', escape = '"',
           allow_quoted_nulls = false, columns = {${columnTypes}})`,
      );
    },
  );

  // One pass writes every date: DuckDB partitions by the UTC date of the
  // date column (the session time zone is UTC) into date=D/data_0.parquet,
  // rows sorted by the key so reruns write the same rows in the same order.
  const col = `"${table.dateColumn}"`;
  const orderBy = shape.primaryKey.length > 0
    ? shape.primaryKey.map((k) => `"${k}"`).join(", ")
    : "ALL";
  const tableDir = `${stagingDir}/${name}`;
  // RETURN_STATS reports each file's row count: no second pass for counts.
  const stats = await attempt(
    where,
    `cannot write ${tableDir}`,
    async () =>
      (await duck.runAndReadAll(
        `COPY (SELECT *, strftime(${col}, '%Y-%m-%d') AS date
               FROM snapshot_rows ORDER BY ${orderBy})
           TO ${sqlString(tableDir)} (FORMAT parquet, COMPRESSION zstd,
             PARTITION_BY (date), FILENAME_PATTERN 'data_{i}',
             PER_THREAD_OUTPUT false, RETURN_STATS)`,
      )).getRowObjectsJson() as { filename: string; count: string }[],
  );
  const perDate = new Map<string, number>();
  for (const { filename, count } of stats) {
    const date = /date=(\d{4}-\d{2}-\d{2})/.exec(filename)?.[1];
    if (date) perDate.set(date, (perDate.get(date) ?? 0) + Number(count));
  }
  const counts = [...perDate].map(([date, n]) => ({ date, n }));
  const wanted = new Set(dates);
  const files: LakeFile[] = [];
  for (const { date, n } of counts) {
    const dir = `${tableDir}/${partitionDir(date)}`;
    if (!wanted.has(date)) {
      await Deno.remove(dir, { recursive: true });
      continue;
    }
    files.push({
      table: name,
      date,
      path: `${dir}/${PARTITION_FILE}`,
      rows: n,
    });
  }
  files.sort((a, b) => a.date.localeCompare(b.date));
  await attempt(where, "cannot drop the staging view", async () => {
    await duck.run("DROP VIEW snapshot_rows");
    await Deno.remove(csvPath);
  });
  return files;
}

// %% notebooks/05_snapshot.ipynb#publish-table-options
/** Options of {@link publishTable}. */
interface PublishTableOptions {
  table: string;
  dates: readonly string[];
  staged: readonly LakeFile[];
  stagingDir: string;
  lakeDir: string;
}

// %% notebooks/05_snapshot.ipynb#publish-table
/**
 * Replaces each touched date directory of a table with its staged version,
 * or removes it when the date has no rows any more.
 *
 * @returns The published files (paths inside the lake).
 */
async function publishTable(options: PublishTableOptions): Promise<LakeFile[]> {
  const { table, dates, staged, stagingDir, lakeDir } = options;
  const published: LakeFile[] = [];
  await attempt(
    table,
    `cannot create ${lakeDir}/${table}`,
    () => Deno.mkdir(`${lakeDir}/${table}`, { recursive: true }),
  );
  for (const date of dates) {
    const target = `${lakeDir}/${table}/${partitionDir(date)}`;
    const file = staged.find((f) => f.date === date);
    await attempt(
      `${table} date=${date}`,
      `cannot replace ${target}`,
      async () => {
        await removeIfExists(target);
        if (file) {
          await Deno.rename(
            `${stagingDir}/${table}/${partitionDir(date)}`,
            target,
          );
        }
      },
    );
    if (file) published.push({ ...file, path: `${target}/${PARTITION_FILE}` });
  }
  return published;
}

// %% notebooks/05_snapshot.ipynb#snapshot-tables
/**
 * Snapshots warehouse tables into the Parquet lake under `<dataDir>/lake` and
 * registers them in `<dataDir>/analytics.duckdb` (one view per table over
 * `read_parquet` with the `date` partition, plus `lake_files`). Each touched
 * date is re-exported whole, so reruns are idempotent: same files, same rows;
 * a touched date without rows loses its directory.
 *
 * @param options See {@link SnapshotOptions}.
 * @returns Per table, the dates, rows and files written.
 * @throws EtlError with stage `snapshot` and partition `<table> date=<d>`
 *   (or the table, for whole-table steps).
 *
 * @example Snapshot the bars of one day after a load
 * ```ts ignore
 * import { snapshotTables } from "@pipeline/snapshot/mod.ts";
 * const result = await snapshotTables({ client, dataDir: "data", dates: ["2026-11-20"] });
 * // duckdb data/analytics.duckdb -c "SELECT symbol, min(ts), count(*) FROM bars_1m GROUP BY 1"
 * ```
 */
export async function snapshotTables(
  options: SnapshotOptions,
): Promise<SnapshotResult> {
  const {
    client,
    dataDir,
    tables = WAREHOUSE_TABLES,
    clock = systemClock,
  } = options;
  const dates = parseSnapshotDates(options.dates);
  const seen = new Set<string>();
  for (const t of tables) {
    assertIdentifier(t.name, "table");
    assertIdentifier(t.dateColumn, "column");
    if (seen.has(t.name)) {
      throw new EtlError(`table ${t.name} is listed twice`, {
        stage: "snapshot",
        partition: t.name,
      });
    }
    seen.add(t.name);
  }

  const root = await attempt(
    "lake",
    `cannot create ${dataDir}/lake`,
    () =>
      Deno.mkdir(`${dataDir}/lake`, { recursive: true }).then(() =>
        Deno.realPath(dataDir)
      ),
  );
  const lakeDir = `${root}/lake`;
  const duckdbPath = `${root}/analytics.duckdb`;
  if (/[*?[\]{}]/.test(lakeDir)) {
    throw new EtlError(
      `lake path ${lakeDir} contains glob characters; DuckDB views could not address it`,
      { stage: "snapshot", partition: "lake" },
    );
  }
  const stagingDir = `${lakeDir}/.staging-${crypto.randomUUID()}`;

  const results: SnapshotTableResult[] = [];
  const written: LakeFile[] = [];
  if (dates.length > 0) {
    await attempt(
      "lake",
      `cannot create ${stagingDir}`,
      () => Deno.mkdir(stagingDir),
    );
    const instance = await attempt(
      "lake",
      "cannot start DuckDB",
      () => DuckDBInstance.create(":memory:"),
    );
    try {
      const duck = await instance.connect();
      try {
        await duck.run("SET TimeZone = 'UTC'");
        for (const table of tables) {
          const staged = await exportTable({
            client,
            duck,
            table,
            dates,
            stagingDir,
          });
          const files = await publishTable({
            table: table.name,
            dates,
            staged,
            stagingDir,
            lakeDir,
          });
          written.push(...files);
          results.push({
            name: table.name,
            dates: files.map((f) => f.date),
            rows: files.reduce((n, f) => n + f.rows, 0),
            files: files.map((f) => f.path),
          });
        }
      } finally {
        duck.closeSync();
      }
    } finally {
      instance.closeSync();
      await removeIfExists(stagingDir).catch(() => {});
    }
  } else {
    for (const t of tables) {
      results.push({ name: t.name, dates: [], rows: 0, files: [] });
    }
  }

  await registerLake({
    duckdbPath,
    lakeDir,
    tables: tables.map((t) => t.name),
    touched: new Map(tables.map((t) => [t.name, dates])),
    written,
    snapshotAt: clock.now(),
  });
  return { duckdbPath, lakeDir, tables: results };
}
