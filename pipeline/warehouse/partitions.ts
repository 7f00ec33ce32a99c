/**
 * Range partitions of the fact tables: list them, and create the ones a load
 * needs before it writes (`ensurePartitions`), so rows land in their period's
 * partition rather than in the DEFAULT one.
 *
 * Partition names come from the validated table name and the period only
 * (`bars_1m_p2026_11`, `bars_1m_p2026_11_20`, see
 * {@link partitionName}); bounds are UTC instants written as literals.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  addPeriods,
  type Granularity,
  partitionName,
  periodsCovering,
} from "@pipeline/warehouse/granularity.ts";
import { ident, timestampLiteral } from "@pipeline/warehouse/_sql.ts";

/** A partition of a range-partitioned table. */
export interface PartitionInfo {
  /** The partition's table name. */
  name: string;
  /** Lower bound (included); null for the default partition (or MINVALUE). */
  from: Date | null;
  /** Upper bound (excluded); null for the default partition (or MAXVALUE). */
  to: Date | null;
  /** Whether this is the DEFAULT partition, which takes rows no range covers. */
  isDefault: boolean;
  /** The planner's row estimate; null before the first VACUUM or ANALYZE. */
  estimatedRows: number | null;
}

/**
 * The partitions of `table`, range partitions in bound order, the DEFAULT
 * partition last; empty when the table is not partitioned.
 */
export async function listPartitions(
  client: SqlClient,
  table: string,
): Promise<PartitionInfo[]> {
  const { rows } = await client.query<{
    name: string;
    is_default: boolean;
    range_from: Date | null;
    range_to: Date | null;
    reltuples: number;
  }>(
    `SELECT c.relname AS name, b.bound = 'DEFAULT' AS is_default,
            substring(b.bound FROM 'FROM \\(''([^'']+)''\\)')::timestamptz
              AS range_from,
            substring(b.bound FROM 'TO \\(''([^'']+)''\\)')::timestamptz
              AS range_to,
            c.reltuples::float8 AS reltuples
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
      WHERE i.inhparent = to_regclass($1)
      ORDER BY is_default, range_from NULLS FIRST, c.relname`,
    [ident(table, "table name")],
  );
  return rows.map((r) => ({
    name: r.name,
    from: r.range_from === null ? null : new Date(r.range_from),
    to: r.range_to === null ? null : new Date(r.range_to),
    isDefault: r.is_default,
    estimatedRows: r.reltuples < 0 ? null : Number(r.reltuples),
  }));
}

/** The partition key column and DEFAULT partition of a range-partitioned table. */
export interface PartitionKey {
  /** The one column the table is partitioned by. */
  column: string;
  /** The DEFAULT partition's name, or null when there is none. */
  defaultPartition: string | null;
}

/**
 * The partition key of `table`, or null when it is not partitioned by range
 * on one column.
 */
export async function partitionKey(
  client: SqlClient,
  table: string,
): Promise<PartitionKey | null> {
  const { rows } = await client.query<
    { column: string; default_partition: string | null }
  >(
    `SELECT a.attname AS "column",
            (SELECT d.relname FROM pg_class d WHERE d.oid = pt.partdefid)
              AS default_partition
       FROM pg_partitioned_table pt
       JOIN pg_attribute a
         ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
      WHERE pt.partrelid = to_regclass($1) AND pt.partstrat = 'r'
        AND pt.partnatts = 1`,
    [ident(table, "table name")],
  );
  const row = rows[0];
  return row
    ? { column: row.column, defaultPartition: row.default_partition }
    : null;
}

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions {
  /** A table configured in `etl_partitioning`; others are left alone. */
  table: string;
  /** Start of the range the data covers (included). */
  from: Date;
  /** End of the range the data covers (excluded). */
  to: Date;
}

/** What {@link ensurePartitions} did. */
export interface EnsurePartitionsResult {
  table: string;
  /** Partitions created by this call, in bound order (empty: all existed). */
  created: PartitionInfo[];
  /** Rows moved from the DEFAULT partition into the created partitions. */
  movedFromDefault: number;
}

/**
 * Creates the missing partitions of `table` that cover `[from, to)` plus the
 * table's `ahead` periods after it, at its configured granularity. Call it
 * inside the transaction that then writes the rows.
 *
 * One catalog query when the partitions exist already. Otherwise it takes
 * the table's advisory lock (`sluice.partitions.<table>`, released at the
 * transaction's end), reads the partitions again and creates what is still
 * missing, so concurrent callers create each partition once. Rows of a new
 * partition's range that sit in the DEFAULT partition are moved into it
 * (Postgres refuses the partition otherwise). A period partly covered by
 * existing partitions (after a change of granularity) gets day partitions
 * for its uncovered days.
 *
 * A table without an `etl_partitioning` row is not touched.
 *
 * @throws EtlError (stage `load`, partition `<table> <partition>`, terminal)
 *   when a partition cannot be created.
 *
 * @example Before copying a frame spanning one session
 * ```ts ignore
 * await ensurePartitions(tx, {
 *   table: "bars_1m",
 *   from: new Date("2026-11-20T14:30:00Z"),
 *   to: new Date("2026-11-20T21:00:00Z"),
 * }); // bars_1m_p2026_11 and (ahead 1) bars_1m_p2026_12 exist
 * ```
 */
export async function ensurePartitions(
  tx: SqlClient,
  options: EnsurePartitionsOptions,
): Promise<EnsurePartitionsResult> {
  const { table, from, to } = options;
  const result: EnsurePartitionsResult = {
    table,
    created: [],
    movedFromDefault: 0,
  };
  ident(table, "table name");
  const { rows } = await tx.query<
    { granularity: Granularity; ahead: number; partitions: string[] }
  >(
    `SELECT p.granularity, p.ahead,
            ARRAY(SELECT c.relname::text
                    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent = to_regclass(quote_ident(p.table_name)))
              AS partitions
       FROM etl_partitioning p WHERE p.table_name = $1`,
    [table],
  );
  const config = rows[0];
  if (!config) return result;
  const { granularity } = config;
  const starts = periodsCovering(from, to, granularity, config.ahead);
  const existing = new Set(config.partitions);
  if (starts.every((s) => existing.has(partitionName(table, s, granularity)))) {
    return result;
  }

  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `sluice.partitions.${table}`,
  ]);
  const key = await partitionKey(tx, table);
  if (!key) {
    throw new EtlError(
      `table ${table} is configured in etl_partitioning but is not ` +
        `partitioned by range on one column`,
      { stage: "load", partition: table },
    );
  }
  const ranges = (await listPartitions(tx, table))
    .filter((p) => !p.isDefault)
    .map((p) => ({
      name: p.name,
      lo: p.from?.getTime() ?? -Infinity,
      hi: p.to?.getTime() ?? Infinity,
    }));
  for (const start of starts) {
    const end = addPeriods(start, granularity, 1);
    const gaps = uncovered(start.getTime(), end.getTime(), ranges);
    if (gaps.length === 0) continue;
    const whole = gaps.length === 1 && gaps[0]!.lo === start.getTime() &&
      gaps[0]!.hi === end.getTime();
    const pieces = whole
      ? [{ name: partitionName(table, start, granularity), lo: start, hi: end }]
      : gaps.flatMap((g) => dayPieces(table, g, ranges));
    for (const piece of pieces) {
      await refuseArchived(tx, table, piece);
      result.movedFromDefault += await createPartition(tx, table, key, piece);
      result.created.push({
        name: piece.name,
        from: piece.lo,
        to: piece.hi,
        isDefault: false,
        estimatedRows: null,
      });
      ranges.push({
        name: piece.name,
        lo: piece.lo.getTime(),
        hi: piece.hi.getTime(),
      });
    }
  }
  return result;
}

/**
 * Refuses to recreate a range the retention archived: the snapshot would
 * then rewrite those lake dates from the reloaded rows alone, replacing the
 * archived files. Terminal: restore the partition from the lake first (or
 * delete its `etl_retention` row to load anyway).
 */
async function refuseArchived(
  tx: SqlClient,
  table: string,
  piece: { lo: Date; hi: Date },
): Promise<void> {
  const { rows } = await tx.query<
    { partition_name: string; detached_at: Date }
  >(
    `SELECT partition_name, detached_at FROM etl_retention
     WHERE table_name = $1 AND range_from < $3 AND range_to > $2
       AND detached_at IS NOT NULL
     ORDER BY detached_at DESC LIMIT 1`,
    [table, piece.lo.toISOString(), piece.hi.toISOString()],
  );
  const archived = rows[0];
  if (!archived) return;
  throw new EtlError(
    `rows from ${piece.lo.toISOString()} to ${piece.hi.toISOString()} fall ` +
      `in ${archived.partition_name}, which the retention archived to the ` +
      `lake on ${new Date(archived.detached_at).toISOString()}: loading them ` +
      `would replace the archived Parquet files of those dates. Restore the ` +
      `partition from the lake first, or delete its etl_retention row to ` +
      `load anyway`,
    { stage: "load", partition: table },
  );
}

/** The parts of `[lo, hi)` no range covers, in order. */
function uncovered(
  lo: number,
  hi: number,
  ranges: readonly { lo: number; hi: number }[],
): { lo: number; hi: number }[] {
  const gaps: { lo: number; hi: number }[] = [];
  let at = lo;
  const overlapping = ranges.filter((r) => r.lo < hi && r.hi > lo)
    .sort((a, b) => a.lo - b.lo);
  for (const r of overlapping) {
    if (r.lo > at) gaps.push({ lo: at, hi: r.lo });
    at = Math.max(at, r.hi);
  }
  if (at < hi) gaps.push({ lo: at, hi });
  return gaps;
}

/** A gap cut into UTC day partitions; throws when it is not day-aligned. */
function dayPieces(
  table: string,
  gap: { lo: number; hi: number },
  ranges: readonly { name: string; lo: number; hi: number }[],
): { name: string; lo: Date; hi: Date }[] {
  const day = 86_400_000;
  if (gap.lo % day !== 0 || gap.hi % day !== 0) {
    const near = ranges.filter((r) => r.hi === gap.lo || r.lo === gap.hi)
      .map((r) => r.name).join(", ");
    throw new EtlError(
      `cannot partition [${new Date(gap.lo).toISOString()}, ${
        new Date(gap.hi).toISOString()
      }) of ${table}: the gap between existing partitions (${near}) does ` +
        `not fall on UTC day boundaries`,
      { stage: "load", partition: table },
    );
  }
  const pieces = [];
  for (let t = gap.lo; t < gap.hi; t += day) {
    const lo = new Date(t);
    pieces.push({
      name: partitionName(table, lo, "day"),
      lo,
      hi: new Date(t + day),
    });
  }
  return pieces;
}

/**
 * Creates one partition, first moving the DEFAULT partition's rows of its
 * range aside and then back through the parent; returns the rows moved.
 */
async function createPartition(
  tx: SqlClient,
  table: string,
  key: PartitionKey,
  piece: { name: string; lo: Date; hi: Date },
): Promise<number> {
  const parent = ident(table, "table name");
  const col = ident(key.column, "column name");
  const lo = timestampLiteral(piece.lo), hi = timestampLiteral(piece.hi);
  const inRange = `${col} >= ${lo} AND ${col} < ${hi}`;
  try {
    let strays = 0;
    if (key.defaultPartition) {
      const def = ident(key.defaultPartition, "partition name");
      const { rows } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${def} WHERE ${inRange}`,
      );
      strays = rows[0]?.n ?? 0;
      if (strays > 0) {
        await tx.exec(
          `CREATE TEMP TABLE sluice_strays (LIKE ${parent}) ON COMMIT DROP;
           WITH moved AS (DELETE FROM ${def} WHERE ${inRange} RETURNING *)
           INSERT INTO sluice_strays SELECT * FROM moved`,
        );
      }
    }
    await tx.exec(
      `CREATE TABLE ${ident(piece.name, "partition name")}
         PARTITION OF ${parent} FOR VALUES FROM (${lo}) TO (${hi})`,
    );
    if (strays > 0) {
      await tx.exec(
        `INSERT INTO ${parent} SELECT * FROM sluice_strays;
         DROP TABLE sluice_strays`,
      );
    }
    return strays;
  } catch (cause) {
    const message = errorMessage(cause);
    const hint = /already exists/.test(message)
      ? ` (a table ${piece.name} exists outside the partitioning: a ` +
        `partition detached by an unfinished retention? ` +
        "`deno task etl retention` finishes it)"
      : "";
    throw new EtlError(
      `cannot create partition ${piece.name} of ${table} for [${piece.lo.toISOString()}, ${piece.hi.toISOString()}): ${message}${hint}`,
      { stage: "load", partition: `${table} ${piece.name}`, cause },
    );
  }
}
