/**
 * Watermarks: per (source, partition) the newest cursor value loaded, kept
 * in `etl_watermarks`. {@link advanceWatermarks} runs in the data's own
 * transaction, so a watermark never covers rows that were not committed,
 * and it only moves forward (`GREATEST`): a backfill or a replay of old data
 * never moves it back.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";

/** One watermark. */
export interface Watermark {
  source: string;
  partition: string;
  watermark: Date;
}

/** The watermarks of `source`, by partition. */
export async function readWatermarks(
  client: SqlClient,
  source: string,
): Promise<Map<string, Date>> {
  const { rows } = await client.query<{ partition: string; watermark: Date }>(
    `SELECT partition, watermark FROM etl_watermarks WHERE source = $1`,
    [source],
  );
  return new Map(rows.map((r) => [r.partition, new Date(r.watermark)]));
}

/** Options of {@link advanceWatermarks}. */
export interface AdvanceOptions {
  source: string;
  dataset: string;
  /** The frame column naming the partition (symbol, location). */
  entity: string;
  /** The cursor column (a UTC Datetime). */
  cursor: string;
  loadId: string;
  now: Date;
}

/**
 * Moves each partition's watermark to the newest cursor of `frame` when that
 * is newer. Call inside the load's transaction. Returns the partitions whose
 * watermark moved.
 */
export async function advanceWatermarks(
  tx: SqlClient,
  frame: pl.DataFrame,
  options: AdvanceOptions,
): Promise<number> {
  if (frame.height === 0) return 0;
  const newest = frame.groupBy(options.entity).agg(
    pl.col(options.cursor).max().cast(pl.Int64).alias("ms"),
  );
  const partitions = newest.getColumn(options.entity).toArray() as string[];
  const marks = Array.from(
    newest.getColumn("ms").toArray(),
    (ms) => new Date(Number(ms)).toISOString(),
  );
  const { rowCount } = await tx.query(
    `INSERT INTO etl_watermarks AS w
       (source, partition, dataset, cursor_column, watermark, load_id, updated_at)
     SELECT $1, p, $2, $3, m, $4, $5
     FROM unnest($6::text[], $7::timestamptz[]) AS x(p, m)
     ON CONFLICT (source, partition) DO UPDATE
       SET watermark = excluded.watermark, load_id = excluded.load_id,
           updated_at = excluded.updated_at
       WHERE excluded.watermark > w.watermark`,
    [
      options.source,
      options.dataset,
      options.cursor,
      options.loadId,
      options.now.toISOString(),
      partitions,
      marks,
    ],
  );
  return rowCount;
}
