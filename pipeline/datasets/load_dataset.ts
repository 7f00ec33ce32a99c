/**
 * A dataset's tables written inside the caller's transaction: the
 * dataset's own load (its resources merged), then its derived assets
 * recomputed from the warehouse for the rows of the batch's primary frame.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { deriveAssets } from "@pipeline/load/derive.ts";
import { freshEntities } from "@pipeline/load/derive_fresh.ts";
import type { Dataset, LoadOptions } from "@pipeline/datasets/dataset.ts";
import { utcDates } from "@pipeline/datasets/dataset.ts";
import {
  emptyLakePartitions,
  framePeriods,
  type LakeFrames,
  type TableFrame,
} from "@pipeline/snapshot/lake_frames.ts";

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends LoadOptions {
  /**
   * Told, once the dataset's tables are written, which of its lake
   * partitions hold exactly rows of the batch (they held none before and
   * every entity of the batch was new), with those frames: the snapshot
   * writes them without reading the warehouse back. Not called when there
   * are none. Default: nothing is probed.
   */
  onLakeFrames?: ((frames: LakeFrames) => void) | undefined;
}

/**
 * Loads `batch` inside `tx`: `dataset.load`, then `dataset.derived`
 * recomputed for the rows of `dataset.primary(batch)` (see
 * `@pipeline/load/derive.ts`). Entities whose upstream held no rows before
 * the merge (a first load) take the batch's own derived values instead of
 * the SQL recompute, which would give the same (`freshEntities()`, looked
 * up before the merge; only when every asset has the same upstream).
 * A dataset without derived assets or without a primary frame is just
 * loaded. Returns the load's results, then one per aggregate asset.
 */
export async function loadDataset<B>(
  tx: SqlClient,
  dataset: Dataset<B>,
  batch: B,
  options: LoadDatasetOptions,
): Promise<UpsertResult[]> {
  const derived = dataset.derived ?? [];
  const primary = derived.length > 0 ? dataset.primary(batch) : null;
  if (!primary) return await dataset.load(tx, batch, options);
  const upstream = derived[0]!.upstream;
  const oneUpstream = derived.every((a) =>
    a.upstream.name === upstream.name && a.upstream.entity === upstream.entity
  );
  const fresh = oneUpstream
    ? await freshEntities(tx, upstream, primary)
    : undefined;
  // The lake shortcut needs the batch to be every entity's whole history
  // (then the load stores the batch's values, derived ones included) and
  // the primary frame to be what the load writes into the upstream table.
  const allFresh = options.onLakeFrames !== undefined && fresh !== undefined &&
    fresh.size > 0 && dataset.resource.name === upstream.name &&
    primary.getColumn(upstream.entity).nUnique() === fresh.size;
  const empty = allFresh
    ? await emptyLakePartitions(
      tx,
      dataset.tables,
      utcDates(primary, upstream.time),
    )
    : null;
  const loaded = await dataset.load(tx, batch, options);
  const aggregates = new Map<string, pl.DataFrame>();
  const results = await deriveAssets(tx, derived, primary, {
    loadId: options.loadId,
    loaded,
    ...(fresh ? { fresh } : {}),
    ...(empty ? { onBatchFrame: (t, f) => aggregates.set(t, f) } : {}),
  });
  if (empty) {
    const frames = new Map<string, TableFrame>();
    for (const table of dataset.tables) {
      const frame = table.name === upstream.name
        ? primary
        : aggregates.get(table.name);
      const before = empty.get(table.name);
      if (!frame || !before) continue;
      // Every partition the frame's rows fall in must have been empty;
      // the others (a bucket reaching into a partition not probed) are
      // read back.
      const partitions = new Set(
        framePeriods(frame, table).map((p) => p.dir).filter((d) =>
          before.has(d)
        ),
      );
      if (partitions.size > 0) frames.set(table.name, { frame, partitions });
    }
    if (frames.size > 0) {
      options.onLakeFrames?.({ loadId: options.loadId, tables: frames });
    }
  }
  return results;
}
