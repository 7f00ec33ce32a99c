/**
 * The lake's debt (`etl_lake_debt`, migration 0009): which Parquet
 * partitions a committed load made stale. A load records its partitions in
 * its own transaction ({@link recordLakeDebt}), so the debt commits with the
 * data or not at all; the snapshot clears a partition only after its files
 * are in place, and only if no later load dirtied it again
 * ({@link clearLakeDebt}). A run killed between its commit and its
 * snapshot thus leaves the debt behind for the next command to pay.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { SnapshotTable } from "@pipeline/snapshot/lake.ts";
import { periodsOf } from "@pipeline/snapshot/granularity.ts";

/** One stale partition of a lake table. */
export interface LakeDebt {
  table: string;
  /** Its directory name: `date=2026-11-20`, `month=2026-11`, `year=2026`. */
  partition: string;
  /** The latest load that dirtied it. */
  loadId: string;
  /** When it first became stale (since it was last written). */
  recordedAt: Date;
}

/** The UTC dates of one table that a load changed. */
export interface DirtyTable {
  table: SnapshotTable;
  /** `YYYY-MM-DD`; each makes the partition holding it stale. */
  dates: readonly string[];
}

/** Options of {@link recordLakeDebt}. */
export interface RecordLakeDebtOptions {
  loadId: string;
  dirty: readonly DirtyTable[];
  /** The real time of the load. */
  now: Date;
}

/**
 * Records the partitions of `dirty` as owed by load `loadId`, inside the
 * caller's (the load's) transaction. A partition already owed keeps its
 * `recorded_at` and takes the new load id, so a snapshot that read the old
 * one does not clear it.
 *
 * @returns The partitions recorded.
 */
export async function recordLakeDebt(
  tx: SqlClient,
  options: RecordLakeDebtOptions,
): Promise<number> {
  const tables: string[] = [];
  const partitions: string[] = [];
  for (const { table, dates } of options.dirty) {
    for (const p of periodsOf(dates, table.granularity ?? "day")) {
      tables.push(table.name);
      partitions.push(p.dir);
    }
  }
  if (tables.length === 0) return 0;
  await tx.query(
    `INSERT INTO etl_lake_debt
       (table_name, partition, load_id, recorded_at, updated_at)
     SELECT t, p, $3, $4, $4 FROM unnest($1::text[], $2::text[]) AS d(t, p)
     ON CONFLICT (table_name, partition) DO UPDATE
       SET load_id = EXCLUDED.load_id, updated_at = EXCLUDED.updated_at`,
    [tables, partitions, options.loadId, options.now],
  );
  return tables.length;
}

/** Every outstanding partition, by table and partition. */
export async function readLakeDebt(client: SqlClient): Promise<LakeDebt[]> {
  const { rows } = await client.query<
    {
      table_name: string;
      partition: string;
      load_id: string;
      recorded_at: Date;
    }
  >(
    `SELECT table_name, partition, load_id, recorded_at FROM etl_lake_debt
     ORDER BY table_name, partition`,
  );
  return rows.map((r) => ({
    table: r.table_name,
    partition: r.partition,
    loadId: r.load_id,
    recordedAt: new Date(r.recorded_at),
  }));
}

/**
 * Clears the given debts, each only while it still names the load it was
 * read with: a load that dirtied the partition again since keeps it owed.
 *
 * @returns The partitions cleared.
 */
export async function clearLakeDebt(
  client: SqlClient,
  debts: readonly LakeDebt[],
): Promise<number> {
  if (debts.length === 0) return 0;
  const { rowCount } = await client.query(
    `DELETE FROM etl_lake_debt d
     USING unnest($1::text[], $2::text[], $3::text[]) AS x(t, p, l)
     WHERE d.table_name = x.t AND d.partition = x.p AND d.load_id = x.l`,
    [
      debts.map((d) => d.table),
      debts.map((d) => d.partition),
      debts.map((d) => d.loadId),
    ],
  );
  return rowCount;
}

/** The debt of one table, as `status` shows it. */
export interface LakeDebtSummary {
  table: string;
  /** Outstanding partitions. */
  partitions: number;
  /** The first and last of them (directory names). */
  first: string;
  last: string;
  /** When the longest-owed one became stale. */
  oldest: Date;
}

/** The outstanding debt per table, by table name. */
export async function summarizeLakeDebt(
  client: SqlClient,
): Promise<LakeDebtSummary[]> {
  const { rows } = await client.query<
    {
      table_name: string;
      n: number;
      first: string;
      last: string;
      oldest: Date;
    }
  >(
    `SELECT table_name, count(*)::int AS n, min(partition) AS first,
            max(partition) AS last, min(recorded_at) AS oldest
     FROM etl_lake_debt GROUP BY table_name ORDER BY table_name`,
  );
  return rows.map((r) => ({
    table: r.table_name,
    partitions: Number(r.n),
    first: r.first,
    last: r.last,
    oldest: new Date(r.oldest),
  }));
}

/** Whether any partition is owed (one cheap query, no lock). */
export async function hasLakeDebt(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query<{ owed: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM etl_lake_debt) AS owed",
  );
  return rows[0]?.owed === true;
}
