/**
 * Per-partition aggregates of a frame, and the words checks share. Private
 * to the quality folder.
 * @module
 */
import pl from "nodejs-polars";

/** One partition's aggregates: its name and the named values. */
export interface PartitionRow {
  partition: string;
  values: Record<string, unknown>;
}

/**
 * The aggregates `aggs` of each partition (value of `entity`) of `frame`,
 * sorted by partition. Within a partition, rows keep their frame order, so
 * order-sensitive aggregates (diff, first) see arrival order.
 */
export function perPartition(
  frame: pl.DataFrame,
  entity: string,
  aggs: pl.Expr[],
): PartitionRow[] {
  if (frame.height === 0) return [];
  return frame.groupBy(entity).agg(...aggs).sort(entity).toRecords().map((
    r,
  ) => ({ partition: String(r[entity]), values: r }));
}

/** A number from an aggregate (bigint, number, Date or null). */
export function num(value: unknown): number {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.getTime();
  return typeof value === "number" ? value : 0;
}

/** A share as a percentage: `0.125` → `12.5%`. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** Epoch ms as ISO-8601 UTC. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The first and last `ts` of a frame (all partitions): the batch window. */
export function tsWindow(frame: pl.DataFrame): { start: Date; end: Date } {
  const [row] = frame.select(
    pl.col("ts").min().cast(pl.Int64).alias("start"),
    pl.col("ts").max().cast(pl.Int64).alias("end"),
  ).toRecords();
  return {
    start: new Date(Number(row?.start ?? 0)),
    end: new Date(Number(row?.end ?? 0)),
  };
}

/** `1 row`, `2 rows`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
