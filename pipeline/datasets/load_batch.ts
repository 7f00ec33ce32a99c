/**
 * One load: a dataset's transformed batch and its quarantined records, in
 * one transaction with the watermarks they advance, the lake partitions they
 * make stale (`etl_lake_debt`) and the load's own `etl_loads` row, so the
 * data, the state and the record of the load commit together or not at all.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { loadQuarantine } from "@pipeline/load/quarantine.ts";
import { commitLoad, failLoad, startLoad } from "@pipeline/load/loads.ts";
import { advanceWatermarks } from "@pipeline/load/watermarks.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { type Dataset, utcDates } from "@pipeline/datasets/dataset.ts";
import { QUARANTINE_LAKE_TABLE } from "@pipeline/datasets/lake_tables.ts";
import { recordLakeDebt } from "@pipeline/snapshot/debt.ts";
import { loadDataset } from "@pipeline/datasets/load_dataset.ts";
import type { LakeFrames } from "@pipeline/snapshot/lake_frames.ts";

/** Options of {@link loadBatch}. */
export interface LoadBatchOptions<B> {
  dataset: Dataset<B>;
  batch: B;
  quarantine: pl.DataFrame;
  /** Stored in `load_id` of every row written. */
  loadId: string;
  runId: string;
  /** The source name (watermarks, quarantine). */
  source: string;
  /** The run's "now" (the quarantine's time). */
  now: Date;
  /** The real time, for `etl_loads` and the watermarks' `updated_at`. */
  wallClock: Clock;
  /** Where the lake lives, for loads that read it. */
  dataDir?: string | undefined;
  /**
   * The UTC dates (`YYYY-MM-DD`) the batch touches (`Transformed.dates`):
   * their partitions of every table of the dataset become lake debt.
   * Default: the dates of the primary frame's cursor.
   */
  dates?: readonly string[] | undefined;
  /**
   * Find the lake partitions this load's frames fill alone and return them
   * (`lakeFrames`), for a snapshot that follows at once. Costs a probe per
   * partition. Default false.
   */
  lakeFrames?: boolean | undefined;
  /** More work inside the same transaction (e.g. a backfill chunk's state). */
  within?: (tx: SqlClient) => Promise<void>;
  /** Told the rows of each COPY chunk sent (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

/** What {@link loadBatch} wrote. */
export interface LoadBatchResult {
  tables: UpsertResult[];
  /** Quarantined records not kept before. */
  quarantined: number;
  /** Lake partitions this load made stale (recorded as lake debt). */
  lakeDebt: number;
  /**
   * The lake partitions whose warehouse rows are exactly this load's
   * frames, with the frames (see `@pipeline/snapshot/lake_frames.ts`), for
   * the snapshot; null when there are none.
   */
  lakeFrames: LakeFrames | null;
}

/**
 * Loads a batch: records the load `started`, then in one transaction writes
 * every resource and recomputes the dataset's derived assets
 * ({@link loadDataset}), writes the quarantine and the watermarks, records the lake
 * partitions they dirtied as debt (every table of the dataset for the
 * batch's dates; the quarantine's date when it kept new records) and marks
 * the load `committed`; when the transaction fails the load is marked
 * `failed` and the error rethrown.
 */
export async function loadBatch<B>(
  client: SqlClient,
  options: LoadBatchOptions<B>,
): Promise<LoadBatchResult> {
  const { dataset, loadId, wallClock } = options;
  await startLoad(client, {
    loadId,
    runId: options.runId,
    dataset: dataset.name,
    source: options.source,
    startedAt: wallClock.now(),
  });
  try {
    return await client.transaction(async (tx) => {
      let lakeFrames: LakeFrames | null = null;
      const tables = await loadDataset(tx, dataset, options.batch, {
        loadId,
        source: options.source,
        dataDir: options.dataDir,
        onRows: options.onRows,
        ...(options.lakeFrames
          ? {
            onLakeFrames: (frames: LakeFrames) => {
              lakeFrames = frames;
            },
          }
          : {}),
      });
      const quarantined = await loadQuarantine(tx, options.quarantine, {
        loadId,
        source: options.source,
        dataset: dataset.name,
        entityColumn: dataset.entityColumn,
        quarantinedAt: options.now,
      });
      const primary = dataset.primary(options.batch);
      if (primary) {
        await advanceWatermarks(tx, primary, {
          source: options.source,
          dataset: dataset.name,
          entity: dataset.resource.entity,
          cursor: dataset.resource.cursor,
          loadId,
          now: wallClock.now(),
        });
      }
      // The batch's dates, and those of rows a recompute of derived data
      // rewrote beyond them (a moving average reaching into the next day).
      const dates = [
        ...new Set([
          ...(options.dates ??
            (primary ? utcDates(primary, dataset.resource.cursor) : [])),
          ...tables.flatMap((t) => t.dates ?? []),
        ]),
      ].sort();
      const lakeDebt = await recordLakeDebt(tx, {
        loadId,
        now: wallClock.now(),
        dirty: [
          ...dataset.tables.map((table) => ({ table, dates })),
          ...(quarantined > 0
            ? [{
              table: QUARANTINE_LAKE_TABLE,
              dates: [options.now.toISOString().slice(0, 10)],
            }]
            : []),
        ],
      });
      await options.within?.(tx);
      await commitLoad(tx, loadId, {
        resources: tables,
        finishedAt: wallClock.now(),
      });
      return { tables, quarantined, lakeDebt, lakeFrames };
    });
  } catch (err) {
    await failLoad(client, loadId, {
      error: errorMessage(err),
      finishedAt: wallClock.now(),
    }).catch(() => {});
    throw err;
  }
}
