/**
 * Paying the lake's debt: rewrite exactly the outstanding partitions of
 * `etl_lake_debt` from the warehouse, register them in `analytics.duckdb`,
 * then clear them. The run's snapshot stage is this, so a run also pays
 * what a killed predecessor owed; every other command that opens the
 * warehouse (backfill, retention, diff, `etl snapshot`) pays first.
 * @module
 */
import { owedRows } from "@pipeline/snapshot/owed_rows.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  type SnapshotTable,
  type SnapshotTableResult,
  snapshotTables,
} from "@pipeline/snapshot/lake.ts";
import {
  clearLakeDebt,
  type LakeDebt,
  readLakeDebt,
} from "@pipeline/snapshot/debt.ts";
import {
  coveringPeriods,
  parsePartitionDir,
} from "@pipeline/snapshot/granularity.ts";
import { withLakeLock } from "@pipeline/snapshot/lake_lock.ts";
import { removeStagingLeftovers } from "@pipeline/snapshot/staging.ts";
import type { LakeFrames, TableFrame } from "@pipeline/snapshot/lake_frames.ts";

/** Options of {@link payLakeDebt}. */
export interface PayLakeDebtOptions {
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  /** Every table the lake holds, with its date column and granularity. */
  tables: readonly SnapshotTable[];
  /** Stamps `lake_files.snapshot_at`. Default {@link systemClock}. */
  clock?: Clock;
  /** Stops waiting for another lake writer. */
  signal?: AbortSignal | undefined;
  /**
   * A committed load's frames of the partitions they fill alone: an owed
   * partition among them, still owed to that load, is written from the
   * frame instead of the warehouse. Default none.
   */
  frames?: LakeFrames | null | undefined;
  /** Told the rows of each chunk once staged (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
  /**
   * Told, before anything is written, how many rows the payment will write
   * (`owedRows()`: the progress bar's total). Default nothing, and no count.
   */
  onTotal?: ((rows: number) => void) | undefined;
}

/** What {@link payLakeDebt} did. */
export interface LakeDebtPayment {
  /** Partitions owed when it started. */
  owed: number;
  /** Partitions cleared (rewritten, or already covered by an archive). */
  paid: number;
  /** Per rewritten table, what the snapshot wrote. */
  tables: SnapshotTableResult[];
  /** The DuckDB database, when anything was written. */
  duckdbPath: string | null;
  /** Staging directories of dead snapshots that were removed. */
  leftovers: string[];
  /** Owed partitions of tables no dataset declares (left owed). */
  unknown: LakeDebt[];
}

/** Archived (detached) ranges of the tables, for the guard below. */
async function archivedRanges(
  client: SqlClient,
  tables: readonly string[],
): Promise<Map<string, { from: string; to: string }[]>> {
  const out = new Map<string, { from: string; to: string }[]>();
  if (tables.length === 0) return out;
  const { rows } = await client.query<
    { table_name: string; from_day: string; to_day: string }
  >(
    `SELECT table_name,
            to_char(range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS from_day,
            to_char(range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS to_day
     FROM etl_retention WHERE table_name = ANY($1::text[])`,
    [tables],
  );
  for (const r of rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ from: r.from_day, to: r.to_day });
    out.set(r.table_name, list);
  }
  return out;
}

/**
 * Pays the lake's debt: holding the lake lock, removes staging leftovers,
 * rewrites every owed partition of `tables` from the warehouse (one
 * snapshot for all of them), and clears what it read once the files are in
 * place and registered. A partition dirtied again meanwhile stays owed.
 * A partition wholly inside a range the retention archived is cleared
 * without a rewrite (the archive wrote it whole, and loads into archived
 * ranges are refused); one that only overlaps an archived range is refused,
 * since rewriting it from the warehouse would drop the archived rows.
 *
 * @returns What was owed, paid and written; `duckdbPath` null when nothing
 *   was owed.
 * @throws EtlError (stage `snapshot`) from the snapshot; the debt it could
 *   not pay stays recorded.
 */
export function payLakeDebt(
  client: SqlClient,
  options: PayLakeDebtOptions,
): Promise<LakeDebtPayment> {
  const { dataDir, tables, clock = systemClock } = options;
  return withLakeLock(client, async () => {
    const leftovers = await removeStagingLeftovers(`${dataDir}/lake`);
    const debts = await readLakeDebt(client);
    const payment: LakeDebtPayment = {
      owed: debts.length,
      paid: 0,
      tables: [],
      duckdbPath: null,
      leftovers,
      unknown: [],
    };
    if (debts.length === 0) return payment;
    const byName = new Map(tables.map((t) => [t.name, t]));
    const archived = await archivedRanges(client, [
      ...new Set(debts.map((d) => d.table)),
    ]);
    const settled: LakeDebt[] = [];
    const toWrite: LakeDebt[] = [];
    const tableDates = new Map<string, string[]>();
    const fromFrames = new Map<string, TableFrame>();
    const frames = options.frames;
    for (const debt of debts) {
      const table = byName.get(debt.table);
      const period = parsePartitionDir(debt.partition);
      if (!table || !period) {
        payment.unknown.push(debt);
        continue;
      }
      const covering = coveringPeriods(period, table.granularity ?? "day");
      const from = covering[0]!.start;
      const to = covering.at(-1)!.end;
      const ranges = archived.get(table.name) ?? [];
      if (ranges.some((r) => r.from <= from && to <= r.to)) {
        settled.push(debt);
        continue;
      }
      const overlap = ranges.find((r) => r.from < to && from < r.to);
      if (overlap) {
        throw new EtlError(
          `${debt.partition} overlaps the archived range ${overlap.from}..${overlap.to}; rewriting it from the warehouse would drop archived rows (declare a lake granularity no coarser than the table's partitions)`,
          { stage: "snapshot", partition: `${table.name} ${debt.partition}` },
        );
      }
      toWrite.push(debt);
      // Written from the load's frame only while no later load dirtied it.
      const own = frames?.loadId === debt.loadId
        ? frames.tables.get(table.name)
        : undefined;
      if (own?.partitions.has(debt.partition)) {
        const taken = fromFrames.get(table.name) ??
          { frame: own.frame, partitions: new Set<string>() };
        (taken.partitions as Set<string>).add(debt.partition);
        fromFrames.set(table.name, taken);
      }
      const dates = tableDates.get(table.name) ?? [];
      dates.push(...covering.map((p) => p.start));
      tableDates.set(table.name, dates);
    }
    if (tableDates.size > 0) {
      if (options.onTotal) {
        options.onTotal(
          await owedRows(client, tables, tableDates, fromFrames),
        );
      }
      const result = await snapshotTables({
        client,
        dataDir,
        dates: [],
        tables: tables.filter((t) => tableDates.has(t.name)),
        tableDates,
        ...(frames && fromFrames.size > 0
          ? { frames: { loadId: frames.loadId, tables: fromFrames } }
          : {}),
        clock,
        onRows: options.onRows,
      });
      payment.tables = result.tables;
      payment.duckdbPath = result.duckdbPath;
    }
    payment.paid = await clearLakeDebt(client, [...settled, ...toWrite]);
    return payment;
  }, { signal: options.signal });
}
