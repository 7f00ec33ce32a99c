/**
 * The loads table, `etl_loads`: one row per load (one transaction writing
 * one dataset's resources). {@link startLoad} writes it `started` on its own,
 * before the data; {@link commitLoad} sets it `committed` inside the data's
 * transaction, so it commits with the rows or not at all; {@link failLoad}
 * marks a load that rolled back. A load left `started` was interrupted (a
 * crash, a kill): its transaction rolled back, so no row carries its id.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";

/** Status of a load. */
export type LoadStatus = "started" | "committed" | "failed";

/** Options of {@link startLoad}. */
export interface StartLoadOptions {
  loadId: string;
  runId: string;
  dataset: string;
  source: string;
  startedAt: Date;
}

/** Records a load as `started` (outside the data's transaction). */
export async function startLoad(
  client: SqlClient,
  options: StartLoadOptions,
): Promise<void> {
  await client.query(
    `INSERT INTO etl_loads (load_id, run_id, dataset, source, status, started_at)
     VALUES ($1, $2, $3, $4, 'started', $5)`,
    [
      options.loadId,
      options.runId,
      options.dataset,
      options.source,
      options.startedAt.toISOString(),
    ],
  );
}

/** Marks the load `committed` with what it wrote: call inside its transaction. */
export async function commitLoad(
  tx: SqlClient,
  loadId: string,
  options: { resources: readonly UpsertResult[]; finishedAt: Date },
): Promise<void> {
  await tx.query(
    `UPDATE etl_loads SET status = 'committed', resources = $2::jsonb,
       finished_at = $3 WHERE load_id = $1`,
    [
      loadId,
      JSON.stringify(options.resources),
      options.finishedAt.toISOString(),
    ],
  );
}

/** Marks a load whose transaction rolled back as `failed`. */
export async function failLoad(
  client: SqlClient,
  loadId: string,
  options: { error: string; finishedAt: Date },
): Promise<void> {
  await client.query(
    `UPDATE etl_loads SET status = 'failed', error = $2, finished_at = $3
     WHERE load_id = $1 AND status = 'started'`,
    [loadId, options.error, options.finishedAt.toISOString()],
  );
}
