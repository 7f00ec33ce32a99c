/**
 * The entities of a batch the warehouse holds no upstream rows of yet,
 * found before the upstream's merge: for them the batch is their whole
 * history, so the batch's own derived values are the warehouse's and the
 * SQL recompute of `@pipeline/load/derive.ts` can be skipped (a first load
 * costs about a COPY, not a COPY plus a recompute of every row).
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident } from "@pipeline/load/_copy.ts";
import type { Upstream } from "@pipeline/load/derived_asset.ts";
import { deriveError } from "@pipeline/load/_derive_error.ts";

/**
 * The entities of `touched` (a frame with the upstream's entity column)
 * without a row in the upstream table: one index probe per entity. Call
 * inside the load's transaction, before the merge. It takes the upstream's
 * load lock (the one the merge takes), so no concurrent load can add rows
 * of these entities before this transaction commits.
 *
 * @throws EtlError (stage `load`, partition = the upstream table) when the
 *   query fails, with the database error as `cause`.
 */
export async function freshEntities(
  tx: SqlClient,
  upstream: Upstream,
  touched: pl.DataFrame,
): Promise<Set<string>> {
  if (touched.height === 0) return new Set();
  const entities = touched.getColumn(upstream.entity).unique()
    .toArray() as string[];
  const t = ident(upstream.name);
  const e = ident(upstream.entity), ts = ident(upstream.time);
  try {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `sluice.load.${upstream.name}`,
    ]);
    // ORDER BY ts LIMIT 1 rather than a bare EXISTS: one index probe per
    // partition on the (entity, ts) key, stopping at the first row.
    const { rows } = await tx.query<{ entity: string }>(
      `SELECT b.entity FROM unnest($1::text[]) AS b(entity)
        WHERE NOT EXISTS (
          SELECT 1 FROM ${t} x WHERE x.${e} = b.entity ORDER BY x.${ts} LIMIT 1)`,
      [entities],
    );
    return new Set(rows.map((r) => r.entity));
  } catch (cause) {
    throw deriveError(
      upstream.name,
      `derived assets of ${upstream.name} (looking up the existing rows of ${entities.length} entities)`,
      cause,
    );
  }
}
