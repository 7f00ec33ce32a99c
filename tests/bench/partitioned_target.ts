/**
 * The bench's references in the warehouse's own layout (not goals): tables
 * like the bar tables, partitioned by the UTC month of `ts` with a default
 * partition and a partition for each month of the input, as a run's load
 * creates them before its COPY; and the load's own rows (bars_1m with its
 * computed columns, bars_5m, bars_1h) as CSV files for psql's or PGlite's
 * `COPY`.
 * @module
 */
import type pl from "nodejs-polars";
import { join } from "node:path";
import type { SqlClient } from "@pipeline/load/client.ts";

/** A bar table a reference copies the layout of. */
export type BarTable = "bars_1m" | "bars_5m" | "bars_1h";

/** One table of {@link SameRows}: a CSV with a header, and its columns. */
export interface SameRowsTable {
  like: BarTable;
  csv: string;
  columns: string[];
}

/** The load's rows as CSV files, and the months their partitions cover. */
export interface SameRows {
  months: string[];
  tables: SameRowsTable[];
}

/** `YYYY-MM`: a month as the bench names partitions. */
const MONTH = /^\d{4}-\d{2}$/;
/** A table name of the bench's own. */
const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Creates `table` with `like`'s columns, defaults and key, partitioned as
 * `like` is, a partition for each of `months` (`YYYY-MM`). `load_id` gets a
 * constant default (a CSV has no such column).
 *
 * @throws Error for a name or month of another form.
 */
export async function createPartitionedTarget(
  client: SqlClient,
  table: string,
  like: BarTable,
  months: readonly string[],
): Promise<void> {
  if (!NAME.test(table)) throw new Error(`bad table name ${table}`);
  await client.exec(`CREATE TABLE ${table} (
      LIKE ${like} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
      PRIMARY KEY (symbol, ts)) PARTITION BY RANGE (ts);
    ALTER TABLE ${table} ALTER load_id
      SET DEFAULT '00000000-0000-0000-0000-000000000000';
    CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
  for (const month of months) {
    if (!MONTH.test(month)) throw new Error(`bad month ${month}`);
    const from = new Date(`${month}-01T00:00:00Z`);
    const to = new Date(from);
    to.setUTCMonth(to.getUTCMonth() + 1);
    await client.exec(`CREATE TABLE "${table}_${month}"
      PARTITION OF ${table}
      FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`);
  }
}

/** The name of a same-rows table in a reference's database. */
export const sameRowsTable = (like: BarTable) => `same_${like}`;

/** Creates the {@link sameRowsTable}s of `rows`, partitioned. */
export async function createSameRowsTargets(
  client: SqlClient,
  rows: SameRows,
): Promise<void> {
  for (const t of rows.tables) {
    await createPartitionedTarget(
      client,
      sameRowsTable(t.like),
      t.like,
      rows.months,
    );
  }
}

/**
 * Writes the frames a load copies into `dir` as CSV files (header, ISO
 * timestamps with offset) and returns them with the months of `ts`.
 */
export function writeSameRows(
  dir: string,
  frames: Record<BarTable, pl.DataFrame>,
  months: string[],
): SameRows {
  const tables = (Object.entries(frames) as [BarTable, pl.DataFrame][]).map(
    ([like, frame]) => {
      const csv = join(dir, `${sameRowsTable(like)}.csv`);
      frame.writeCSV(csv);
      return { like, csv, columns: frame.columns };
    },
  );
  return { months, tables };
}
