/**
 * How many rows paying the lake's debt will write, known before it writes:
 * the snapshot stage's progress total (so its bar has an ETA). Per table,
 * the frame's rows of the partitions a load filled alone (they are exactly
 * the warehouse's rows there) and one `count(*)` of the warehouse's rows of
 * the other owed partitions.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  dateRangeSql,
  parseSnapshotDates,
  type SnapshotTable,
} from "@pipeline/snapshot/lake.ts";
import { type LakePeriod, periodsOf } from "@pipeline/snapshot/granularity.ts";
import type { TableFrame } from "@pipeline/snapshot/lake_frames.ts";

const DAY_MS = 86_400_000;

/** Every UTC day of `periods`, `YYYY-MM-DD`. */
function daysOf(periods: readonly LakePeriod[]): string[] {
  const days: string[] = [];
  for (const p of periods) {
    const end = Date.parse(`${p.end}T00:00:00Z`);
    for (let t = Date.parse(`${p.start}T00:00:00Z`); t < end; t += DAY_MS) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
  }
  return days;
}

/** The rows of `frame` whose UTC day of `column` lies in one of `periods`. */
function frameRowsIn(
  frame: pl.DataFrame,
  column: string,
  periods: readonly LakePeriod[],
): number {
  if (periods.length === 0 || frame.height === 0) return 0;
  // Integer arithmetic with an Int64 literal (see `utcDates()`).
  const ms = pl.col(column).cast(pl.Int64);
  const day = pl.lit(DAY_MS).cast(pl.Int64);
  const counts = frame.select(ms.minus(ms.modulo(day)).alias("d"))
    .groupBy("d").agg(pl.col("d").count().alias("n"));
  const days = counts.getColumn("d").toArray() as (number | bigint | null)[];
  const ns = counts.getColumn("n").toArray() as (number | bigint)[];
  let rows = 0;
  for (let i = 0; i < days.length; i++) {
    const d = days[i];
    if (d === null || d === undefined) continue;
    const date = new Date(Number(d)).toISOString().slice(0, 10);
    if (periods.some((p) => p.start <= date && date < p.end)) {
      rows += Number(ns[i]);
    }
  }
  return rows;
}

/**
 * The rows a payment will write: `tableDates` holds, per table, the first
 * days of its owed partitions; `frames`, per table, the load's frame and the
 * partitions it fills alone.
 *
 * @throws EtlError (stage `snapshot`, partition = the table) when a count
 *   fails.
 */
export async function owedRows(
  client: SqlClient,
  tables: readonly SnapshotTable[],
  tableDates: ReadonlyMap<string, readonly string[]>,
  frames: ReadonlyMap<string, TableFrame>,
): Promise<number> {
  let total = 0;
  for (const table of tables) {
    const dates = tableDates.get(table.name);
    if (!dates || dates.length === 0) continue;
    const periods = periodsOf(
      parseSnapshotDates(dates),
      table.granularity ?? "day",
    );
    const own = frames.get(table.name);
    const framed = own ? periods.filter((p) => own.partitions.has(p.dir)) : [];
    const read = periods.filter((p) => !framed.includes(p));
    if (own) total += frameRowsIn(own.frame, table.dateColumn, framed);
    if (read.length === 0) continue;
    try {
      const { rows } = await client.query<{ n: number | string }>(
        `SELECT count(*) AS n FROM "${table.name}" WHERE ${
          dateRangeSql(table.dateColumn, daysOf(read))
        }`,
      );
      total += Number(rows[0]?.n ?? 0);
    } catch (cause) {
      throw new EtlError(
        `cannot count the rows of ${table.name} owed to the lake: ${
          errorMessage(cause)
        }`,
        { stage: "snapshot", partition: table.name, cause },
      );
    }
  }
  return total;
}
