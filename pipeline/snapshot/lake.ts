// AUTO-GENERATED from notebooks/05_snapshot.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/05_snapshot.ipynb#module
/**
 * The snapshot stage: after a load, copy the warehouse tables' rows of the
 * touched partitions from Postgres to a Parquet lake,
 * `<dataDir>/lake/<table>/date=YYYY-MM-DD/data_0.parquet` (or
 * `month=YYYY-MM/`, `year=YYYY/` for a table declared with that
 * granularity), and register the lake in `<dataDir>/analytics.duckdb` so any
 * DuckDB client can query it.
 *
 * Data path per table: the touched dates in a few chunks of consecutive
 * dates; per chunk one `COPY (SELECT ...) TO STDOUT (FORMAT csv)` into a
 * staging CSV (no DuckDB postgres scanner is available), then one
 * partitioned DuckDB write of that CSV with explicit column types, one
 * Parquet file per date, into a staging directory. DuckDB runs off the JS
 * thread, so while it converts one chunk Postgres exports the next.
 * Partitions a load filled alone (`SnapshotOptions.frames`, see
 * `@pipeline/snapshot/lake_frames.ts`) skip Postgres: polars writes their
 * files from the load's frames, meanwhile. Then each
 * touched partition's directory is swapped for the staged one (or removed
 * when it has no rows), so a failed run leaves the previous files in place.
 * @module
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  type LakeFile,
  registerLake,
  sqlString,
} from "@pipeline/snapshot/catalog.ts";
import {
  assertIdentifier,
  describeTable,
  type TableShape,
} from "@pipeline/snapshot/columns.ts";
import {
  LAKE_GRANULARITIES,
  type LakeGranularity,
  type LakePeriod,
  partitionKey,
  periodsOf,
} from "@pipeline/snapshot/granularity.ts";
import {
  frameColumns,
  type LakeFrames,
  type TableFrame,
  writeFrame,
} from "@pipeline/snapshot/lake_frames.ts";

// %% notebooks/05_snapshot.ipynb#snapshot-table
/** A table to snapshot and the column that decides its partition. */
export interface SnapshotTable {
  /** Table name, matching `/^[a-z_][a-z0-9_]*$/`. */
  name: string;
  /** A `timestamptz` column; a row belongs to its UTC date. */
  dateColumn: string;
  /**
   * One Parquet partition per UTC `day` (`date=YYYY-MM-DD/`, intraday
   * data), `month` (`month=YYYY-MM/`) or `year` (`year=YYYY/`, daily data).
   * Default `day`.
   */
  granularity?: LakeGranularity;
}

// %% notebooks/05_snapshot.ipynb#snapshot-options
/** Options of {@link snapshotTables}. */
export interface SnapshotOptions {
  /** The warehouse (PGlite or a server). */
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`; created when missing. */
  dataDir: string;
  /**
   * UTC dates (`YYYY-MM-DD`) this run touched; the partition holding each
   * (its day, month or year) is re-exported whole.
   */
  dates: readonly string[];
  /**
   * Tables to snapshot: the datasets' declared tables (see `lakeTables()`
   * of `@pipeline/datasets/lake_tables.ts`).
   */
  tables: readonly SnapshotTable[];
  /** Per table, dates that replace `dates` for it (e.g. its lake debt). */
  tableDates?: ReadonlyMap<string, readonly string[]>;
  /**
   * A committed load's frames: each listed partition (among the table's
   * touched ones) holds exactly the frame's rows of it in the warehouse,
   * so its file is written from the frame, not read back. A table whose
   * columns the frame cannot reproduce exactly is read back whole.
   * Default none.
   */
  frames?: LakeFrames | undefined;
  /** Stamps `lake_files.snapshot_at`. Default {@link systemClock}. */
  clock?: Clock;
  /** Told the rows of each chunk once staged (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

// %% notebooks/05_snapshot.ipynb#snapshot-table-result
/** What a snapshot wrote for one table. */
export interface SnapshotTableResult {
  /** Table name. */
  name: string;
  /**
   * Touched partitions that have rows, now each one Parquet file, by their
   * first day (the date itself for day partitions); sorted.
   */
  dates: string[];
  /** Rows written over those dates. */
  rows: number;
  /** Absolute paths of the files written. */
  files: string[];
  /**
   * Partitions written from a load's frames (`SnapshotOptions.frames`)
   * rather than read back from the warehouse.
   */
  framed: number;
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
  return periodRangeSql(column, periodsOf(parseSnapshotDates(dates)));
}

// %% notebooks/05_snapshot.ipynb#next-date
/**
 * A Postgres condition selecting the rows whose `column` falls in one of
 * `periods` (UTC), adjacent periods merged into one half-open range.
 */
function periodRangeSql(
  column: string,
  periods: readonly LakePeriod[],
): string {
  const col = `"${assertIdentifier(column, "column")}"`;
  const ranges: [string, string][] = [];
  for (const { start, end } of periods) {
    const last = ranges.at(-1);
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  }
  if (ranges.length === 0) return "false";
  return ranges.map(([lo, hi]) =>
    `(${col} >= '${lo}T00:00:00Z'::timestamptz AND ${col} < '${hi}T00:00:00Z'::timestamptz)`
  ).join(" OR ");
}

// %% notebooks/05_snapshot.ipynb#attempt
/**
 * How errors name a table's partitions: `bars_1m date=2026-11-19,2026-11-20`
 * (`month=2026-11,...`, `year=...`).
 */
function partitionLabel(table: string, periods: readonly LakePeriod[]): string {
  const key = partitionKey(periods[0]?.granularity ?? "day");
  return `${table} ${key}=${periods.map((p) => p.key).join(",")}`;
}

/**
 * Runs `fn`; any failure becomes an {@link EtlError} of stage `snapshot`
 * (terminal: disk and data errors do not heal on retry) for `partition`,
 * naming its cause (`No space left on device`, DuckDB's message, ...).
 */
async function attempt<T>(
  partition: string,
  message: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof EtlError) throw cause;
    throw new EtlError(`${message}: ${errorMessage(cause)}`, {
      stage: "snapshot",
      partition,
      cause,
    });
  }
}

// %% notebooks/05_snapshot.ipynb#remove-if-exists
/** Removes `path` recursively; a missing path is fine. */
function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

// %% notebooks/05_snapshot.ipynb#check-shape
/**
 * Checks that a table can be partitioned by `dateColumn` and does not use the
 * name of its hive partition key (`date`, `month` or `year`), which the lake
 * reserves.
 */
function checkShape(
  shape: TableShape,
  dateColumn: string,
  granularity: LakeGranularity,
): void {
  const date = shape.columns.find((c) => c.name === dateColumn);
  const key = partitionKey(granularity);
  const problem = !date
    ? `has no column ${dateColumn}`
    : date.pgType !== "timestamp with time zone"
    ? `column ${dateColumn} is ${date.pgType}, not timestamp with time zone`
    : shape.columns.some((c) => c.name === key)
    ? `has a column named ${key}, reserved for the partition key`
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

// %% notebooks/05_snapshot.ipynb#chunk-dates
/** A table's dates are exported in this many chunks, when they are enough. */
const CHUNKS = 4;

/** Fewer dates than this per chunk are not worth a statement of their own. */
const MIN_CHUNK_DATES = 8;

/**
 * At most this many dates per chunk: DuckDB keeps at most
 * `partitioned_write_max_open_files` partition files open per write (set to
 * this) and starts a second file in a date it had to close, which would
 * break "one file per date".
 */
const MAX_CHUNK_DATES = 100;

/**
 * Splits sorted dates into consecutive chunks of near-equal size: {@link CHUNKS}
 * of them, fewer when that would leave a chunk under {@link MIN_CHUNK_DATES}
 * dates (a daily run's few dates stay one chunk), more when a chunk would
 * exceed {@link MAX_CHUNK_DATES}. Every date is in exactly one chunk, so each
 * date's file comes from one DuckDB write.
 *
 * @param dates Sorted, unique dates.
 * @returns The chunks in date order; empty for no dates.
 */
function chunkDates<T>(dates: readonly T[]): T[][] {
  const count = Math.max(
    1,
    Math.ceil(dates.length / MAX_CHUNK_DATES),
    Math.min(CHUNKS, Math.floor(dates.length / MIN_CHUNK_DATES)),
  );
  const chunks: T[][] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.round((i * dates.length) / count);
    const to = Math.round(((i + 1) * dates.length) / count);
    if (to > from) chunks.push(dates.slice(from, to));
  }
  return chunks;
}

// %% notebooks/05_snapshot.ipynb#duckdb-threads
/**
 * DuckDB's threads during a snapshot: all cores but one, which is left to
 * the Postgres export running alongside. On two cores a second DuckDB
 * thread bought no speed: the writes of many small date files spent their
 * time handing tasks between the threads (a year of `bars_1h`, 257 files,
 * took 1.2 s instead of 0.2 s) and took CPU from the export.
 */
const DUCKDB_THREADS = Math.max(1, navigator.hardwareConcurrency - 1);

// %% notebooks/05_snapshot.ipynb#duckdb-queue
/**
 * The DuckDB statements of a snapshot, run one after another on one
 * connection but started without waiting: DuckDB works on its own threads,
 * so while it converts one chunk, Postgres exports the next. After a step
 * fails the later ones do not run ({@link DuckdbQueue.failed}).
 */
class DuckdbQueue {
  readonly #open: () => Promise<DuckDBConnection>;
  #duck: Promise<DuckDBConnection> | undefined;
  #opened: DuckDBConnection | undefined;
  #tail: Promise<void> = Promise.resolve();
  #failed = false;

  /**
   * @param open Opens the connection, when the first step runs: a snapshot
   *   written wholly from a load's frames starts no DuckDB (80 - 90 ms).
   */
  constructor(open: () => Promise<DuckDBConnection>) {
    this.#open = open;
  }

  /** Whether a step failed; its caller got the error. */
  get failed(): boolean {
    return this.#failed;
  }

  /**
   * Queues `step`; the promise settles with its result. A step queued after
   * a failure rejects without running.
   */
  run<T>(step: (duck: DuckDBConnection) => Promise<T>): Promise<T> {
    const result = this.#tail.then(() => {
      if (this.#failed) throw new Error("an earlier DuckDB step failed");
      this.#duck ??= this.#open().then((duck) => this.#opened = duck);
      return this.#duck.then(step);
    });
    this.#tail = result.then(() => {}, () => {
      this.#failed = true;
    });
    // Handled here so a failure while the caller still exports is not an
    // unhandled rejection; the caller awaits `result` later.
    result.catch(() => {});
    return result;
  }

  /** Settles when every queued step has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Closes the connection, if a step opened it; call once idle. */
  close(): void {
    this.#opened?.closeSync();
  }
}

// %% notebooks/05_snapshot.ipynb#export-table-options
/** Options of {@link exportTable}. */
interface ExportTableOptions {
  client: SqlClient;
  queue: DuckdbQueue;
  table: SnapshotTable;
  periods: readonly LakePeriod[];
  /** The load's frame of the table, with the partitions it fills alone. */
  frame?: TableFrame | undefined;
  /** The load that wrote `frame` (its rows' `load_id`). */
  loadId?: string | undefined;
  stagingDir: string;
  onRows?: ((rows: number) => void) | undefined;
}

// %% notebooks/05_snapshot.ipynb#export-table
/**
 * Exports one table's rows of `periods` into
 * `<stagingDir>/<table>/chunk-<k>/date=D/data_0.parquet` (`month=M`,
 * `year=Y`), one file per partition that has rows, sorted by the primary key
 * (or all columns) so reruns write the same bytes. The partitions go in
 * chunks ({@link chunkDates}): each chunk is
 * one `COPY (SELECT ...) TO STDOUT` into a CSV file, then one partitioned
 * DuckDB write, queued on `queue`, so the next chunk's export overlaps it.
 *
 * @returns Once the exports are done: `staged`, settling when DuckDB has
 *   written every chunk, with the staged files and their row counts.
 */
async function exportTable(
  options: ExportTableOptions,
): Promise<{ staged: Promise<LakeFile[]>; framed: number }> {
  const { client, queue, table, stagingDir, frame } = options;
  const name = table.name;
  const shape = await describeTable({ client, table: name });
  checkShape(shape, table.dateColumn, table.granularity ?? "day");
  const select = shape.columns.map((c) => c.exportSql).join(", ");
  const tableDir = `${stagingDir}/${name}`;
  await attempt(name, `cannot create ${tableDir}`, () => Deno.mkdir(tableDir));
  const parts: Promise<LakeFile[]>[] = [];
  const written = (files: LakeFile[]) => {
    options.onRows?.(files.reduce((n, f) => n + f.rows, 0));
    return files;
  };
  // The partitions the load's frame fills alone come from the frame.
  const columns = frame
    ? frameColumns(frame.frame, shape, options.loadId ?? "")
    : null;
  const fromFrame = frame && columns
    ? options.periods.filter((p) => frame.partitions.has(p.dir))
    : [];
  const periods = options.periods.filter((p) => !fromFrame.includes(p));
  for (const [k, chunk] of chunkDates(periods).entries()) {
    if (queue.failed) break; // the failed step's error is the one reported
    const where = partitionLabel(name, chunk);
    const csvPath = `${stagingDir}/${name}.${k}.csv`;
    const hasRows = await attempt(
      where,
      `cannot export ${name} from Postgres to ${csvPath}`,
      () =>
        copyToFile(
          client,
          `COPY (SELECT ${select} FROM "${name}" WHERE ${
            periodRangeSql(table.dateColumn, chunk)
          }) TO STDOUT WITH (FORMAT csv)`,
          csvPath,
        ),
    );
    if (!hasRows) continue;
    const columnTypes = shape.columns.map((c) =>
      `${sqlString(c.name)}: ${sqlString(c.duckdbType)}`
    ).join(", ");
    parts.push(queue.run((duck) =>
      writeChunk({
        duck,
        shape,
        table,
        periods: chunk,
        input: {
          path: csvPath,
          sql: `read_csv(${sqlString(csvPath)}, header = false,
                 auto_detect = false, delim = ',', quote = '"', escape = '"',
                 allow_quoted_nulls = false, columns = {${columnTypes}})`,
        },
        outDir: `${tableDir}/chunk-${k}`,
      }).then(written)
    ));
  }
  // Written by polars on this thread while DuckDB converts the exports,
  // a chunk of partitions at a time (a copy of a chunk's rows at most).
  for (const [k, chunk] of chunkDates(fromFrame).entries()) {
    if (!frame || !columns || queue.failed) break;
    const outDir = `${tableDir}/frame-${k}`;
    const files = await attempt(
      partitionLabel(name, chunk),
      `cannot write ${outDir} from the load's rows of ${name}`,
      () =>
        writeFrame({
          frame: frame.frame,
          columns,
          shape,
          table,
          periods: chunk,
          outDir,
        }),
    );
    parts.push(Promise.resolve(written(files.map((f) => ({
      table: name,
      date: f.period.start,
      path: f.path,
      rows: f.rows,
    })))));
  }
  const staged = Promise.all(parts).then((files) =>
    files.flat().sort((a, b) => a.date.localeCompare(b.date))
  );
  staged.catch(() => {}); // awaited by the caller; see DuckdbQueue.run
  return { staged, framed: fromFrame.length };
}

// %% notebooks/05_snapshot.ipynb#write-chunk-options
/** Options of {@link writeChunk}. */
interface WriteChunkOptions {
  duck: DuckDBConnection;
  shape: TableShape;
  table: SnapshotTable;
  /** The chunk's partitions, the ones the input holds. */
  periods: readonly LakePeriod[];
  /**
   * The staged rows: the DuckDB table expression reading them with the
   * table's column types, and the file, removed once written.
   */
  input: { sql: string; path: string };
  outDir: string;
}

// %% notebooks/05_snapshot.ipynb#write-chunk
/**
 * DuckDB reads one exported CSV with explicit column types and writes it to
 * `<outDir>/date=D/data_0.parquet` (`month=M`, `year=Y`) in one pass:
 * partitioned by the UTC date, month or year of the date column (the
 * session time zone is UTC), rows sorted by the key
 * so reruns write the same rows in the same order; `RETURN_STATS` reports
 * each file's row count, so no second pass counts them. The CSV is removed
 * afterwards.
 *
 * @returns The staged files with their dates and row counts.
 */
async function writeChunk(options: WriteChunkOptions): Promise<LakeFile[]> {
  const { duck, shape, table, periods, input, outDir } = options;
  const name = table.name;
  const granularity = table.granularity ?? "day";
  const key = partitionKey(granularity);
  const utc = `make_timestamp(epoch_us("${table.dateColumn}"))`;
  const keyExpr = granularity === "day"
    ? `CAST(${utc} AS DATE)`
    : `strftime(${utc}, '${granularity === "month" ? "%Y-%m" : "%Y"}')`;
  // Date first: the partitioned write then fills one date after another;
  // within a date this is the key order.
  const orderBy = [
    key,
    ...(shape.primaryKey.length > 0
      ? shape.primaryKey
      : shape.columns.map((c) => c.name)),
  ].map((k) => `"${k}"`).join(", ");
  const where = partitionLabel(name, periods);
  const stats = await attempt(
    where,
    `cannot write ${outDir} from the exported rows of ${name}`,
    async () =>
      (await duck.runAndReadAll(
        `COPY (SELECT *, ${keyExpr} AS "${key}"
               FROM ${input.sql}
               ORDER BY ${orderBy})
           TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION snappy,
             PARTITION_BY ("${key}"), FILENAME_PATTERN 'data_{i}',
             PER_THREAD_OUTPUT false, RETURN_STATS)`,
      )).getRowObjectsJson() as { filename: string; count: string }[],
  );
  const perKey = new Map<string, number>();
  const keyPattern = new RegExp(`/${key}=([0-9-]+)/`);
  for (const { filename, count } of stats) {
    const value = keyPattern.exec(filename)?.[1];
    if (value) perKey.set(value, (perKey.get(value) ?? 0) + Number(count));
  }
  const wanted = new Map(periods.map((p) => [p.key, p]));
  const files: LakeFile[] = [];
  await attempt(where, `cannot clean up ${outDir}`, async () => {
    for (const [value, rows] of perKey) {
      const dir = `${outDir}/${key}=${value}`;
      const period = wanted.get(value);
      if (period) {
        files.push({
          table: name,
          date: period.start,
          path: `${dir}/${PARTITION_FILE}`,
          rows,
        });
      } else {
        await Deno.remove(dir, { recursive: true });
      }
    }
    await Deno.remove(input.path);
  });
  return files;
}

// %% notebooks/05_snapshot.ipynb#publish-table-options
/** Options of {@link publishTable}. */
interface PublishTableOptions {
  table: string;
  periods: readonly LakePeriod[];
  staged: readonly LakeFile[];
  lakeDir: string;
}

// %% notebooks/05_snapshot.ipynb#publish-table
/**
 * Replaces each touched partition directory of a table with its staged
 * version (the directory of the staged file), or removes it when the
 * partition has no rows any more.
 *
 * @returns The published files (paths inside the lake).
 */
async function publishTable(options: PublishTableOptions): Promise<LakeFile[]> {
  const { table, periods, staged, lakeDir } = options;
  const published: LakeFile[] = [];
  await attempt(
    table,
    `cannot create ${lakeDir}/${table}`,
    () => Deno.mkdir(`${lakeDir}/${table}`, { recursive: true }),
  );
  const byDate = new Map(staged.map((f) => [f.date, f]));
  for (const period of periods) {
    const target = `${lakeDir}/${table}/${period.dir}`;
    const file = byDate.get(period.start);
    await attempt(
      `${table} ${period.dir}`,
      `cannot replace ${target}`,
      // Sync: a partition's two ops took 67 - 84 ms async for 784
      // partitions, 21 - 25 ms sync.
      () => {
        removeIfExists(target);
        if (file) {
          Deno.renameSync(
            file.path.slice(0, file.path.lastIndexOf("/")),
            target,
          );
        }
      },
    );
    if (file) published.push({ ...file, path: `${target}/${PARTITION_FILE}` });
  }
  return published;
}

// %% notebooks/05_snapshot.ipynb#export-all-options
/** Options of {@link exportAll}. */
interface ExportAllOptions {
  client: SqlClient;
  queue: DuckdbQueue;
  tables: readonly SnapshotTable[];
  /** Per table, the partitions to rewrite. */
  periods: ReadonlyMap<string, readonly LakePeriod[]>;
  /** A load's frames of partitions they fill alone. */
  frames?: LakeFrames | undefined;
  stagingDir: string;
  lakeDir: string;
  onRows?: ((rows: number) => void) | undefined;
  /** Called per table, in table order, once its files are in the lake. */
  onPublished(table: string, files: LakeFile[], framed: number): void;
}

// %% notebooks/05_snapshot.ipynb#export-all
/**
 * Exports the tables one after another and publishes each once DuckDB has
 * written all its chunks, while Postgres already exports the next table. On
 * a failure the tables before the failing one are published, as if they had
 * run one by one, and the failing one and those after it are not.
 * Returns only after every queued DuckDB step and publish has finished, so
 * the connection can close and the staging directory go.
 *
 * @throws The first failure in table order.
 */
async function exportAll(options: ExportAllOptions): Promise<void> {
  const { queue, tables, lakeDir, onPublished } = options;
  let published: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  try {
    for (const table of tables) {
      if (queue.failed) break; // `published` rejects with that failure
      const periods = options.periods.get(table.name) ?? [];
      const { staged, framed } = await exportTable({
        ...options,
        table,
        periods,
        frame: options.frames?.tables.get(table.name),
        loadId: options.frames?.loadId,
      });
      published = published.then(async () => {
        const files = await publishTable({
          table: table.name,
          periods,
          staged: await staged,
          lakeDir,
        });
        onPublished(table.name, files, framed);
      });
      published.catch(() => {}); // awaited below; see DuckdbQueue.run
    }
  } catch (error) {
    failure = { error };
  }
  await queue.idle();
  try {
    await published;
  } catch (error) {
    failure = { error }; // an earlier table's failure comes first
  }
  if (failure) throw failure.error;
}

// %% notebooks/05_snapshot.ipynb#snapshot-tables
/**
 * Snapshots warehouse tables into the Parquet lake under `<dataDir>/lake` and
 * registers them in `<dataDir>/analytics.duckdb` (one view per table over
 * `read_parquet` with the `date`, `month` or `year` partition, plus
 * `lake_files`). Each touched partition is re-exported whole, so reruns are
 * idempotent: same files, same rows; a touched partition without rows
 * loses its directory.
 *
 * @param options See {@link SnapshotOptions}.
 * @returns Per table, the dates, rows and files written.
 * @throws EtlError with stage `snapshot` and partition `<table> date=<d>`
 *   (`month=`, `year=`; or the table, for whole-table steps).
 *
 * @example Snapshot the bars of one day after a load
 * ```ts ignore
 * import { snapshotTables } from "@pipeline/snapshot/mod.ts";
 * const result = await snapshotTables({
 *   client, dataDir: "data", dates: ["2026-11-20"], tables: lakeTables(DATASETS),
 * });
 * // deno task query "SELECT symbol, min(ts), count(*) FROM bars_1m GROUP BY 1"
 * ```
 */
export async function snapshotTables(
  options: SnapshotOptions,
): Promise<SnapshotResult> {
  const {
    client,
    dataDir,
    tables,
    clock = systemClock,
  } = options;
  const dates = parseSnapshotDates(options.dates);
  const periods = new Map<string, LakePeriod[]>();
  for (const t of tables) {
    assertIdentifier(t.name, "table");
    assertIdentifier(t.dateColumn, "column");
    const granularity = t.granularity ?? "day";
    if (!LAKE_GRANULARITIES.includes(granularity)) {
      throw new EtlError(
        `table ${t.name}: granularity ${
          JSON.stringify(granularity)
        } is not one of ${LAKE_GRANULARITIES.join(", ")}`,
        { stage: "snapshot", partition: t.name },
      );
    }
    if (periods.has(t.name)) {
      throw new EtlError(`table ${t.name} is listed twice`, {
        stage: "snapshot",
        partition: t.name,
      });
    }
    const own = options.tableDates?.get(t.name);
    periods.set(
      t.name,
      periodsOf(own ? parseSnapshotDates(own) : dates, granularity),
    );
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
  if ([...periods.values()].some((p) => p.length > 0)) {
    await attempt(
      "lake",
      `cannot create ${stagingDir}`,
      () => Deno.mkdir(stagingDir),
    );
    let instance: DuckDBInstance | undefined;
    const queue = new DuckdbQueue(async () => {
      instance = await attempt(
        "lake",
        "cannot start DuckDB",
        () => DuckDBInstance.create(":memory:"),
      );
      const duck = await instance.connect();
      await duck.run(
        `SET TimeZone = 'UTC';
         SET partitioned_write_max_open_files = ${MAX_CHUNK_DATES};
         SET threads = ${DUCKDB_THREADS}`,
      );
      return duck;
    });
    try {
      try {
        await exportAll({
          client,
          queue,
          tables,
          periods,
          stagingDir,
          lakeDir,
          frames: options.frames,
          onRows: options.onRows,
          onPublished(name, files, framed) {
            written.push(...files);
            results.push({
              name,
              dates: files.map((f) => f.date),
              rows: files.reduce((n, f) => n + f.rows, 0),
              files: files.map((f) => f.path),
              framed,
            });
          },
        });
      } finally {
        queue.close();
      }
    } finally {
      instance?.closeSync();
      try {
        removeIfExists(stagingDir);
      } catch {
        // A leftover goes with the next snapshot's (removeStagingLeftovers).
      }
    }
  } else {
    for (const t of tables) {
      results.push({ name: t.name, dates: [], rows: 0, files: [], framed: 0 });
    }
  }

  await registerLake({
    duckdbPath,
    lakeDir,
    tables: tables.map((t) => t.name),
    granularities: new Map(tables.map((t) => [t.name, t.granularity ?? "day"])),
    touched: new Map(
      tables.map((t) => [
        t.name,
        (periods.get(t.name) ?? []).map((p) => p.start),
      ]),
    ),
    written,
    snapshotAt: clock.now(),
  });
  return { duckdbPath, lakeDir, tables: results };
}
