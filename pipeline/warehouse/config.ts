/**
 * How each fact table is partitioned and kept (`etl_partitioning`): the
 * granularity of new partitions, how many periods are created ahead of the
 * newest data, and the retention age.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Granularity } from "@pipeline/warehouse/granularity.ts";

/** One row of `etl_partitioning`. */
export interface PartitioningConfig {
  /** The partitioned table. */
  table: string;
  /** New partitions cover a UTC day or a UTC month. */
  granularity: Granularity;
  /** Periods created beyond the newest loaded period. */
  ahead: number;
  /** Partitions older than this (Postgres interval text) are archived; null keeps them. */
  retention: string | null;
}

/**
 * The partitioning of every configured table (sorted by name), or of
 * `options.table` only (empty when it is not configured).
 */
export async function readPartitioning(
  client: SqlClient,
  options: { table?: string | undefined } = {},
): Promise<PartitioningConfig[]> {
  const { rows } = await client.query<PartitioningConfig>(
    `SELECT table_name AS "table", granularity, ahead,
            retention::text AS retention
       FROM etl_partitioning
      WHERE $1::text IS NULL OR table_name = $1
      ORDER BY table_name`,
    [options.table ?? null],
  );
  return rows;
}
