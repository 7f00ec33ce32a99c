/**
 * The derived-asset engine: after a dataset's tables were merged, inside the
 * same transaction, each derived asset is recomputed in SQL from the
 * warehouse for the part of its upstream the batch touched (see
 * `@pipeline/load/derived_asset.ts`), in declaration order.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { DerivedAsset } from "@pipeline/load/derived_asset.ts";
import { deriveAggregate } from "@pipeline/load/derive_aggregate.ts";
import { deriveWindow } from "@pipeline/load/derive_window.ts";

/**
 * Recomputes `assets` for the rows of `touched` (the merged frame of their
 * upstream: entity and time columns) inside `tx`. `loaded` are the results
 * of the upstream's merge. Returns them, a window asset's work added to its
 * upstream's result (`recomputed`, and in `dates` the UTC dates of the rows
 * it rewrote: they may lie after the batch's own, a moving average reaching
 * into the next session, and need a snapshot too), then one result per
 * aggregate.
 */
export async function deriveAssets(
  tx: SqlClient,
  assets: readonly DerivedAsset[],
  touched: pl.DataFrame,
  options: { loadId: string; loaded: readonly UpsertResult[] },
): Promise<UpsertResult[]> {
  const tables = options.loaded.map((r) => ({ ...r }));
  for (const asset of assets) {
    if (asset.kind === "window") {
      const done = await deriveWindow(tx, asset, touched, options);
      const upstream = tables.find((t) => t.table === asset.upstream.name);
      // Set only when there is something to say, so a result without a
      // recompute reads as before.
      if (upstream && done.rewrittenOthers > 0) {
        upstream.recomputed = (upstream.recomputed ?? 0) +
          done.rewrittenOthers;
      }
      if (upstream && done.dates.length > 0) {
        upstream.dates = [...new Set([...upstream.dates ?? [], ...done.dates])]
          .sort();
      }
    } else {
      tables.push(await deriveAggregate(tx, asset, touched, options));
    }
  }
  return tables;
}
