/**
 * Lake partitions written from a load's frames. When a partition of a lake
 * table held no rows before a load and every entity of the batch was new to
 * the warehouse (so the load stored the batch's own values, derived ones
 * included: `@pipeline/load/derive_fresh.ts`), the warehouse rows of that
 * partition after the load are exactly the frame's rows of it. The
 * snapshot then writes its Parquet file from the frame instead of reading
 * the rows back from Postgres; every other partition is still read back.
 *
 * "Empty before" is probed inside the load's transaction, before the
 * merge, under the upstream's load lock ({@link emptyLakePartitions}). The
 * frames are only a shortcut: the lake debt is recorded and cleared as for
 * any load, so a run killed before its snapshot is repaired from the
 * warehouse by the next command.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { TableShape } from "@pipeline/snapshot/columns.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { SnapshotTable } from "@pipeline/snapshot/lake.ts";
import { assertIdentifier } from "@pipeline/snapshot/columns.ts";
import { type LakePeriod, periodsOf } from "@pipeline/snapshot/granularity.ts";

/** One table's rows as a load wrote them, and where they are the whole. */
export interface TableFrame {
  /**
   * Rows the load wrote into the table, every column but `load_id` (the
   * load's id on every row).
   */
  frame: pl.DataFrame;
  /**
   * Partition directories (`date=2026-11-20`, `month=2026-11`) that held no
   * rows before the load: their rows are exactly the frame's rows of them.
   */
  partitions: ReadonlySet<string>;
}

/** A committed load's frames, by lake table. */
export interface LakeFrames {
  /** The load that wrote them (the lake debt names it). */
  loadId: string;
  tables: ReadonlyMap<string, TableFrame>;
}

/** `YYYY-MM-DD` → its UTC midnight (ISO-8601), for a timestamptz parameter. */
function midnight(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw new EtlError(`invalid partition start ${JSON.stringify(day)}`, {
      stage: "load",
    });
  }
  return `${day}T00:00:00Z`;
}

/**
 * The partitions of `tables` holding the UTC `dates` that have no rows in
 * the warehouse: one query per table, an `EXISTS` per partition's range
 * (pruned to the table's warehouse partitions when it runs), planned once
 * for all of them: with a literal range per `EXISTS`, Postgres planned 257
 * subqueries per table (16 - 21 ms a table on a million bars). Call inside
 * the load's transaction, before the merge, holding the lock the merge
 * takes.
 *
 * @returns Per table name, the empty partitions' directory names.
 * @throws EtlError (stage `load`, partition = the table) when a probe fails.
 */
export async function emptyLakePartitions(
  tx: SqlClient,
  tables: readonly SnapshotTable[],
  dates: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const table of tables) {
    const periods = periodsOf(dates, table.granularity ?? "day");
    if (periods.length === 0) continue;
    const t = `"${assertIdentifier(table.name, "table")}"`;
    const c = `"${assertIdentifier(table.dateColumn, "column")}"`;
    let filled: boolean[];
    try {
      const { rows } = await tx.query<{ i: number; filled: boolean }>(
        `SELECT p.i, EXISTS (SELECT 1 FROM ${t} WHERE ${c} >= p.since
                                                 AND ${c} < p.until) AS filled
         FROM unnest($1::timestamptz[], $2::timestamptz[])
              WITH ORDINALITY AS p(since, until, i)`,
        [
          periods.map((p) => midnight(p.start)),
          periods.map((p) => midnight(p.end)),
        ],
      );
      filled = periods.map(() => true);
      for (const r of rows) filled[Number(r.i) - 1] = r.filled;
    } catch (cause) {
      throw new EtlError(
        `cannot look up the lake partitions of ${table.name} that hold no rows: ${
          errorMessage(cause)
        }`,
        { stage: "load", partition: table.name, cause },
      );
    }
    out.set(
      table.name,
      new Set(periods.filter((_, i) => filled[i] === false).map((p) => p.dir)),
    );
  }
  return out;
}

/**
 * The partitions of `table` the rows of `frame` fall in, by the UTC day of
 * the table's date column (a polars datetime).
 */
export function framePeriods(
  frame: pl.DataFrame,
  table: SnapshotTable,
): LakePeriod[] {
  if (frame.height === 0 || !isMillisecondTime(frame, table.dateColumn)) {
    return [];
  }
  // Integer arithmetic with an Int64 literal, as `utcDates()` of
  // `@pipeline/datasets/dataset.ts` (polars divides by a constant through
  // its reciprocal).
  const ms = pl.col(table.dateColumn).cast(pl.Int64);
  const day = pl.lit(86_400_000).cast(pl.Int64);
  const days = frame.select(ms.minus(ms.modulo(day)).unique().alias("d"))
    .getColumn("d").toArray()
    .filter((d) => d !== null && d !== undefined)
    .map((d) => new Date(Number(d)).toISOString().slice(0, 10));
  return periodsOf(days, table.granularity ?? "day");
}

/** Whether `column` of `frame` is a polars datetime in milliseconds. */
function isMillisecondTime(frame: pl.DataFrame, column: string): boolean {
  if (!frame.columns.includes(column)) return false;
  // e.g. `DataType(Datetime(ms,UTC))`
  return /\bDatetime\(ms,/.test(String(frame.getColumn(column).dtype));
}

/** Polars types holding numbers a cast to a number column keeps exact. */
const NUMBERS = new Set([
  "Float64",
  "Float32",
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
]);

/** Postgres' text form of a uuid, as a load id is written. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The polars type a DuckDB column type is written as, so the Parquet file
 * reads back with the type a DuckDB write of the warehouse rows gives it
 * (`timestamptz`: microseconds, adjusted to UTC).
 */
function polarsType(duckdbType: string): pl.DataType | null {
  switch (duckdbType) {
    case "DOUBLE":
      return pl.Float64;
    case "FLOAT":
      return pl.Float32;
    case "BIGINT":
      return pl.Int64;
    case "INTEGER":
      return pl.Int32;
    case "SMALLINT":
      return pl.Int16;
    case "BOOLEAN":
      return pl.Bool;
    case "VARCHAR":
      return pl.Utf8;
    case "TIMESTAMPTZ":
      return pl.Datetime("us", "UTC");
    default:
      return null;
  }
}

/**
 * The table's columns in order, as polars expressions over the frame with
 * the types a read-back gives them: each frame column cast, and `load_id`
 * (when the frame has none) the load's id. Null when the frame cannot
 * stand for the table's rows exactly: a column it lacks, one whose values
 * the warehouse stores in a form a cast would not reproduce (text of a
 * non-text column, timestamps without a zone, decimals, ...), or a table
 * without a primary key of strings, integers and timestamps (the order of
 * the rows in a file is the key's); the partitions are then read back.
 */
export function frameColumns(
  frame: pl.DataFrame,
  shape: TableShape,
  loadId: string,
): pl.Expr[] | null {
  const keyTypes = ["VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TIMESTAMPTZ"];
  if (
    shape.primaryKey.length === 0 ||
    !shape.primaryKey.every((k) =>
      keyTypes.includes(
        shape.columns.find((c) => c.name === k)?.duckdbType ?? "",
      )
    )
  ) return null;
  const out: pl.Expr[] = [];
  for (const c of shape.columns) {
    const type = polarsType(c.duckdbType);
    if (!type) return null;
    if (!frame.columns.includes(c.name)) {
      if (c.name !== "load_id" || !UUID.test(loadId)) return null;
      if (c.pgType !== "uuid" && c.pgType !== "text") return null;
      out.push(pl.lit(loadId).cast(pl.Utf8).alias(c.name));
      continue;
    }
    const variant = frame.getColumn(c.name).dtype.variant;
    const fits = c.duckdbType === "TIMESTAMPTZ"
      ? isMillisecondTime(frame, c.name)
      : c.duckdbType === "VARCHAR"
      ? variant === "String" &&
        (c.pgType === "text" || c.pgType === "character varying")
      : c.duckdbType === "BOOLEAN"
      ? variant === "Bool"
      : NUMBERS.has(variant);
    if (!fits) return null;
    out.push(pl.col(c.name).cast(type).alias(c.name));
  }
  return out;
}

/** Per frame, per key (joined by commas): whether its rows are in key order. */
const SORTED = new WeakMap<pl.DataFrame, Map<string, boolean>>();

/**
 * Whether the rows of `frame` are in strictly ascending order of `key`
 * (lexicographic over its columns, as `sort(key)` orders them; no two rows
 * equal): one pass comparing each row with the one before. Kept per frame,
 * so the chunks of one table's write check it once.
 */
export function isSortedBy(
  frame: pl.DataFrame,
  key: readonly string[],
): boolean {
  const name = key.join(",");
  const known = SORTED.get(frame)?.get(name);
  if (known !== undefined) return known;
  let after: pl.Expr | null = null;
  for (const column of [...key].reverse()) {
    const c = pl.col(column), prev = pl.col(column).shift(1);
    after = after === null ? c.gt(prev) : c.gt(prev).or(c.eq(prev).and(after));
  }
  const sorted = after !== null && frame.height > 0 &&
    key.every((k) => frame.columns.includes(k)) &&
    frame.select(after.fillNull(pl.lit(true)).all().alias("s")).getColumn("s")
        .toArray()[0] === true;
  const byKey = SORTED.get(frame) ?? new Map<string, boolean>();
  byKey.set(name, sorted);
  SORTED.set(frame, byKey);
  return sorted;
}

/** Options of {@link writeFrame}. */
export interface WriteFrameOptions {
  /** The rows, with every column {@link frameColumns} reads. */
  frame: pl.DataFrame;
  /** What {@link frameColumns} made of the frame for the table. */
  columns: pl.Expr[];
  shape: TableShape;
  table: SnapshotTable;
  /** The partitions to write (the frame's rows of others are left out). */
  periods: readonly LakePeriod[];
  /** Gets `<dir>/data_0.parquet` per partition with rows. */
  outDir: string;
}

/** A partition file {@link writeFrame} wrote. */
export interface FrameFile {
  period: LakePeriod;
  path: string;
  rows: number;
}

/**
 * Writes the frame's rows of each of `periods` to
 * `<outDir>/<period dir>/data_0.parquet` (snappy), the table's columns in
 * order, rows sorted by the primary key: the file a DuckDB write of the
 * same warehouse rows makes, row for row and type for type. Polars writes
 * them on the calling thread, without DuckDB's per-file cost of a
 * partitioned write. The rows in the periods' span are taken in one scan
 * and sorted once, by partition then key; each file is a slice of that
 * (no copy, no sort per file).
 *
 * @returns The files written, in period order (none for periods without
 *   rows).
 */
export async function writeFrame(
  options: WriteFrameOptions,
): Promise<FrameFile[]> {
  const { frame, columns, shape, table, periods, outDir } = options;
  if (periods.length === 0 || frame.height === 0) return [];
  const DAY = pl.lit(86_400_000).cast(pl.Int64);
  const ms = pl.col(table.dateColumn).cast(pl.Int64);
  const msOf = (day: string) =>
    pl.lit(Date.parse(`${day}T00:00:00Z`)).cast(pl.Int64);
  const first = periods.reduce((a, p) => p.start < a ? p.start : a, "9999");
  const last = periods.reduce((a, p) => p.end > a ? p.end : a, "");
  // Lazy: only the table's columns of the span's rows are copied.
  const span = frame.lazy()
    .filter(ms.gtEq(msOf(first)).and(ms.lt(msOf(last))))
    .select(...columns, ms.minus(ms.modulo(DAY)).alias("__day"));
  // Each day of the span and the partition holding it (its index in
  // `periods`, or no row for days of other partitions).
  const days = span.select(pl.col("__day").unique()).collectSync()
    .getColumn("__day").toArray().filter((d) => d !== null) as number[];
  const dayOf: number[] = [], partOf: number[] = [];
  for (const d of days) {
    const day = new Date(Number(d)).toISOString().slice(0, 10);
    const i = periods.findIndex((p) => p.start <= day && day < p.end);
    if (i >= 0) {
      dayOf.push(Number(d));
      partOf.push(i);
    }
  }
  if (dayOf.length === 0) return [];
  const keyed = span.join(
    pl.DataFrame({ __day: dayOf, __part: partOf }).lazy().withColumns(
      pl.col("__day").cast(pl.Int64),
      pl.col("__part").cast(pl.Int32),
    ),
    { on: "__day", how: "inner", maintainOrder: "left" },
  );
  // A frame already in key order (a transform's output) needs only its
  // rows grouped by partition: a stable sort on one integer column.
  const parted =
    (isSortedBy(frame, shape.primaryKey)
      ? keyed.sort({ by: "__part", maintainOrder: true })
      : keyed.sort(["__part", ...shape.primaryKey]))
      .collectSync();
  const part = parted.getColumn("__part").toTypedArray() as Int32Array;
  const rows = parted.drop(["__day", "__part"]);
  const files: FrameFile[] = [];
  await Deno.mkdir(outDir, { recursive: true });
  for (let from = 0; from < part.length;) {
    let to = from + 1;
    while (to < part.length && part[to] === part[from]) to++;
    const period = periods[part[from]!]!;
    const dir = `${outDir}/${period.dir}`;
    const path = `${dir}/data_0.parquet`;
    // Sync: hundreds of small directories, each an op round trip async.
    Deno.mkdirSync(dir);
    rows.slice(from, to - from).writeParquet(path, { compression: "snappy" });
    files.push({ period, path, rows: to - from });
    from = to;
  }
  return files.sort((a, b) => a.period.start.localeCompare(b.period.start));
}
