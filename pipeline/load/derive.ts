/**
 * The derived-asset engine: after a dataset's tables were merged, inside the
 * same transaction, each derived asset is recomputed in SQL from the
 * warehouse for the part of its upstream the batch touched (see
 * `@pipeline/load/derived_asset.ts`), in declaration order.
 *
 * Entities the warehouse held no rows of before the merge (see
 * `@pipeline/load/derive_fresh.ts`) skip the SQL: the batch is their whole
 * history, so a window asset's columns are the batch's own (already merged)
 * and an aggregate with `fromBatch` is computed from the batch and copied.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { upsertFrame, type UpsertResult } from "@pipeline/load/upsert.ts";
import type {
  AggregateAsset,
  DerivedAsset,
} from "@pipeline/load/derived_asset.ts";
import { deriveAggregate } from "@pipeline/load/derive_aggregate.ts";
import { deriveWindow } from "@pipeline/load/derive_window.ts";
import { deriveError } from "@pipeline/load/_derive_error.ts";

/** Options of {@link deriveAssets}. */
export interface DeriveAssetsOptions {
  /** The load's id, stored in `load_id` of rows written. */
  loadId: string;
  /** The results of the upstream's merge. */
  loaded: readonly UpsertResult[];
  /**
   * Entities of `touched` without upstream rows before the merge (from
   * `freshEntities()`, called before it): their derived data is taken from
   * the batch rather than recomputed. Default: none, everything in SQL.
   */
  fresh?: ReadonlySet<string>;
  /**
   * Told each aggregate table's rows computed from the batch for the fresh
   * entities (every column but `load_id`), once written. Default nothing.
   */
  onBatchFrame?: ((table: string, frame: pl.DataFrame) => void) | undefined;
}

/**
 * Recomputes `assets` for the rows of `touched` (the merged frame of their
 * upstream: entity and time columns, and for fresh entities the columns a
 * `fromBatch` reads) inside `tx`. Returns the upstream's results, a window
 * asset's work added to its upstream's result (`recomputed`, and in `dates`
 * the UTC dates of the rows it rewrote: they may lie after the batch's own,
 * a moving average reaching into the next session, and need a snapshot
 * too), then one result per aggregate.
 */
export async function deriveAssets(
  tx: SqlClient,
  assets: readonly DerivedAsset[],
  touched: pl.DataFrame,
  options: DeriveAssetsOptions,
): Promise<UpsertResult[]> {
  const tables = options.loaded.map((r) => ({ ...r }));
  // The fresh entities' rows and the others, once per entity column.
  const splits = new Map<string, { fresh: pl.DataFrame; rest: pl.DataFrame }>();
  const split = (entity: string) => {
    const fresh = [...options.fresh ?? []];
    let parts = splits.get(entity);
    if (parts) return parts;
    if (fresh.length === 0) parts = { fresh: touched.head(0), rest: touched };
    else if (fresh.length === touched.getColumn(entity).nUnique()) {
      // All fresh: the frame itself, so what a `fromBatch` computed from it
      // before (the transform's buckets) is not computed again.
      parts = { fresh: touched, rest: touched.head(0) };
    } else {
      const isFresh = pl.col(entity).isIn(fresh);
      parts = {
        fresh: touched.filter(isFresh),
        rest: touched.filter(isFresh.not()),
      };
    }
    splits.set(entity, parts);
    return parts;
  };
  for (const asset of assets) {
    const { fresh, rest } = split(asset.upstream.entity);
    if (asset.kind === "window") {
      // A fresh entity's rows were merged with the batch's own values.
      const done = await deriveWindow(tx, asset, rest, options);
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
    } else if (asset.fromBatch && fresh.height > 0) {
      const { result: copied, frame } = await aggregateFromBatch(
        tx,
        asset,
        asset.fromBatch,
        fresh,
        options,
      );
      options.onBatchFrame?.(asset.table, frame);
      const derived = await deriveAggregate(tx, asset, rest, options);
      tables.push(sumResults(copied, derived));
    } else {
      tables.push(await deriveAggregate(tx, asset, touched, options));
    }
  }
  return tables;
}

/**
 * Writes `fromBatch(rows)` (rows of fresh entities) into the asset's
 * table through the fact-table upsert: a COPY when the table holds nothing
 * of these entities, a merge of the overlap otherwise. Returns the
 * upsert's result and the frame written (without `load_id`).
 */
async function aggregateFromBatch(
  tx: SqlClient,
  asset: AggregateAsset,
  fromBatch: (rows: pl.DataFrame) => pl.DataFrame,
  rows: pl.DataFrame,
  options: { loadId: string },
): Promise<{ result: UpsertResult; frame: pl.DataFrame }> {
  const { entity, time } = asset.upstream;
  const columns = [entity, time, ...Object.keys(asset.columns)];
  let frame: pl.DataFrame;
  try {
    frame = fromBatch(rows).select(...columns);
  } catch (cause) {
    throw deriveError(
      asset.table,
      `${asset.table} from the batch's ${rows.height} rows`,
      cause,
    );
  }
  const result = await upsertFrame(
    tx,
    { name: asset.table, entity, time, columns },
    frame,
    { loadId: options.loadId },
  );
  return { result, frame };
}

/** Two results of one table, added up. */
function sumResults(a: UpsertResult, b: UpsertResult): UpsertResult {
  return {
    table: a.table,
    rows: a.rows + b.rows,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}
