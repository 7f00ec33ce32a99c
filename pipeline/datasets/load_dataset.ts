/**
 * A dataset's tables written inside the caller's transaction: the
 * dataset's own load (its resources merged), then its derived assets
 * recomputed from the warehouse for the rows of the batch's primary frame.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { deriveAssets } from "@pipeline/load/derive.ts";
import { freshEntities } from "@pipeline/load/derive_fresh.ts";
import type { Dataset, LoadOptions } from "@pipeline/datasets/dataset.ts";

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
  options: LoadOptions,
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
  const loaded = await dataset.load(tx, batch, options);
  return await deriveAssets(tx, derived, primary, {
    loadId: options.loadId,
    loaded,
    ...(fresh ? { fresh } : {}),
  });
}
