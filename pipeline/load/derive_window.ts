/**
 * Recomputes a {@link WindowAsset}'s columns of the upstream for the rows a
 * batch touched and every row whose values depend on them, from the
 * warehouse, in one `UPDATE`:
 *
 * 1. The batch's rows are grouped per entity and UTC day into `[lo, hi]`.
 * 2. Each group affects `[lo, end)`: `end` is the later of the end of hi's
 *    period (cumulative columns) and the row `lookback + 1` rows after hi
 *    (the rows that read hi through `lag`); overlapping ranges of an entity
 *    are merged into islands.
 *    An entity whose batch rows are all of its rows up to the batch's last
 *    one, each just written by this load (a first load, or a re-load from
 *    the start), has the batch's own values already, which are the SQL's to
 *    the bit: only the rows after the batch's last one are recomputed, so a
 *    first load of a million bars does not recompute them all.
 * 3. Each island is read from `lookback` rows before its start (and its
 *    period's start), the window expressions are evaluated over it, and
 *    only rows inside the island whose stored value differs from the
 *    recomputed one beyond the asset's relative tolerance are rewritten,
 *    so an identical re-send rewrites nothing.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident } from "@pipeline/load/_copy.ts";
import type { WindowAsset } from "@pipeline/load/derived_asset.ts";
import { deriveError } from "@pipeline/load/_derive_error.ts";
import { EtlError } from "@pipeline/errors.ts";

/** What {@link deriveWindow} did. */
export interface WindowResult {
  /** Upstream rows whose derived columns were recomputed. */
  recomputed: number;
  /** Of those, rows rewritten (a value changed beyond the tolerance). */
  rewritten: number;
  /**
   * Of the rewritten, rows this load had not written already (the merge's
   * inserts and updates carry the load's id before the recompute).
   */
  rewrittenOthers: number;
  /** UTC dates (YYYY-MM-DD) of the rewritten rows, sorted. */
  dates: string[];
}

const DAY_MS = 86_400_000;

/**
 * Recomputes `asset.columns` of the upstream for the rows of `touched` (a
 * frame with the upstream's entity and time columns) and the rows after
 * them that depend on them, inside the caller's transaction, after the
 * upstream was merged. Rewritten rows get the load's `load_id`.
 *
 * @throws EtlError (stage `load`, partition = the upstream table) when the
 *   statement fails, with the database error as `cause`.
 */
export async function deriveWindow(
  tx: SqlClient,
  asset: WindowAsset,
  touched: pl.DataFrame,
  options: { loadId: string },
): Promise<WindowResult> {
  const empty = { recomputed: 0, rewritten: 0, rewrittenOthers: 0, dates: [] };
  const { upstream, lookback, tolerance = 1e-12 } = asset;
  if (!(Number.isInteger(lookback) && lookback >= 0)) {
    throw new EtlError(
      `derived columns of ${upstream.name}: lookback ${lookback} is not a whole number >= 0`,
      { stage: "load", partition: upstream.name },
    );
  }
  if (touched.height === 0) return empty;
  const ms = pl.col(upstream.time).cast(pl.Int64);
  const groups = touched.select(
    pl.col(upstream.entity).alias("entity"),
    ms.alias("ms"),
    // An Int64 literal: a plain number is taken as a float (inexact).
    ms.minus(ms.modulo(pl.lit(DAY_MS).cast(pl.Int64))).alias("day"),
  ).groupBy(["entity", "day"]).agg(
    pl.col("ms").min().alias("lo"),
    pl.col("ms").max().alias("hi"),
  );

  const entities = touched.groupBy(upstream.entity).agg(
    pl.len().alias("n"),
    pl.col(upstream.time).cast(pl.Int64).max().alias("last"),
    pl.col(upstream.time).cast(pl.Int64).min().alias("first"),
  ).rename({ [upstream.entity]: "entity" });

  const t = ident(upstream.name);
  const e = ident(upstream.entity), ts = ident(upstream.time);
  const names = Object.keys(asset.columns);
  const computed = names.map((n) => `${asset.columns[n]} AS ${ident(n)}`)
    .join(",\n             ");
  // Stored values are read with the neighbours as `stored_<column>`, so
  // the rows to rewrite are found without probing the table again.
  const stored = (n: string) => ident(`stored_${n}`);
  const differs = names.map((n) => {
    const s = `c.${stored(n)}`, c = `c.${ident(n)}`;
    return `(${s} IS DISTINCT FROM ${c} AND ((${s} IS NULL) <> (${c} IS NULL)
       OR NOT abs(${s} - ${c}) <= $5 * greatest(abs(${s}), abs(${c}))))`;
  }).join("\n       OR ");
  const sql = `
    WITH g0 AS (
      SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
        AS g(entity, lo, hi)
    ), whole AS (
      SELECT b.entity, b.last
      FROM unnest($7::text[], $8::bigint[], $9::timestamptz[],
                  $10::timestamptz[]) AS b(entity, n, last, first)
      -- A row before the batch's first one rules the entity out with one
      -- index probe, before its rows are counted (an append to a long
      -- history must not read the history).
      CROSS JOIN LATERAL (
        SELECT NOT EXISTS (SELECT 1 FROM ${t} x
          WHERE x.${e} = b.entity AND x.${ts} < b.first) AS starts
      ) f
      CROSS JOIN LATERAL (
        SELECT count(*) AS n, bool_and(x.load_id = $6::uuid) AS mine
        FROM ${t} x
        WHERE f.starts AND x.${e} = b.entity AND x.${ts} <= b.last
      ) w
      WHERE f.starts AND w.n = b.n AND w.mine
    ), g AS (
      SELECT * FROM g0 WHERE g0.entity NOT IN (SELECT entity FROM whole)
      UNION ALL
      SELECT entity, last, last FROM whole
    ), r AS (
      SELECT g.entity, g.lo, greatest(${asset.period.end("g.hi")}, coalesce(
        (SELECT x.${ts} FROM ${t} x WHERE x.${e} = g.entity AND x.${ts} > g.hi
          ORDER BY x.${ts} OFFSET $4 LIMIT 1),
        'infinity'::timestamptz)) AS hi
      FROM g
    ), s AS (
      SELECT r.*, max(r.hi) OVER (PARTITION BY r.entity ORDER BY r.lo, r.hi
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
      FROM r
    ), n AS (
      SELECT s.*, sum(CASE WHEN s.before IS NULL OR s.lo > s.before
                           THEN 1 ELSE 0 END)
        OVER (PARTITION BY s.entity ORDER BY s.lo, s.hi) AS island
      FROM s
    ), i AS (
      SELECT entity, island, min(lo) AS lo, max(hi) AS hi
      FROM n GROUP BY entity, island
    ), b AS (
      SELECT i.*, least(${asset.period.start("i.lo")}, coalesce(
        (SELECT x.${ts} FROM ${t} x WHERE x.${e} = i.entity AND x.${ts} < i.lo
          ORDER BY x.${ts} DESC OFFSET greatest($4 - 1, 0) LIMIT 1),
        '-infinity'::timestamptz)) AS from_ts
      FROM i
    ), c AS (
      SELECT u.${e}, u.${ts}, u.load_id AS old_load_id,
             u.${ts} >= b.lo AS inside,
             ${names.map((n) => `u.${ident(n)} AS ${stored(n)}`).join(", ")},
             ${computed}
      FROM b CROSS JOIN LATERAL (
        SELECT * FROM ${t} x
        WHERE x.${e} = b.entity AND x.${ts} >= b.from_ts AND x.${ts} < b.hi
        OFFSET 0 -- not pulled up into a join: one index scan per span
      ) u
      WINDOW w AS (PARTITION BY b.entity, b.island ORDER BY u.${ts}),
             m AS (w ROWS BETWEEN ${lookback} PRECEDING AND CURRENT ROW),
             p AS (PARTITION BY b.entity, b.island,
                     ${asset.period.start(`u.${ts}`)}
                   ORDER BY u.${ts} ROWS UNBOUNDED PRECEDING)
    ), d AS (
      SELECT * FROM c WHERE c.inside AND (${differs})
    ), up AS (
      UPDATE ${t} u SET ${
    names.map((n) => `${ident(n)} = d.${ident(n)}`).join(", ")
  }, load_id = $6::uuid
      FROM d
      WHERE u.${e} = d.${e} AND u.${ts} = d.${ts}
      RETURNING d.old_load_id, u.${ts}
    )
    SELECT (SELECT count(*)::int FROM c WHERE c.inside) AS recomputed,
           (SELECT count(*)::int FROM up) AS rewritten,
           (SELECT count(*)::int FROM up
             WHERE old_load_id IS DISTINCT FROM $6::uuid) AS others,
           ARRAY(SELECT DISTINCT to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD')
                   FROM up ORDER BY 1) AS dates`;
  try {
    const { rows } = await tx.query<{
      recomputed: number;
      rewritten: number;
      others: number;
      dates: string[];
    }>(sql, [
      groups.getColumn("entity").toArray() as string[],
      isoStrings(groups.getColumn("lo")),
      isoStrings(groups.getColumn("hi")),
      lookback,
      tolerance,
      options.loadId,
      entities.getColumn("entity").toArray() as string[],
      entities.getColumn("n").toArray() as number[],
      isoStrings(entities.getColumn("last")),
      isoStrings(entities.getColumn("first")),
    ]);
    const row = rows[0];
    if (!row) return empty;
    return {
      recomputed: row.recomputed,
      rewritten: row.rewritten,
      rewrittenOthers: row.others,
      dates: row.dates,
    };
  } catch (cause) {
    throw deriveError(
      upstream.name,
      `${
        names.join(", ")
      } of ${upstream.name} for ${groups.height} entity-day(s)`,
      cause,
    );
  }
}

/** A column of epoch milliseconds as ISO-8601 strings. */
function isoStrings(ms: pl.Series): string[] {
  return Array.from(ms.toArray(), (v) => new Date(Number(v)).toISOString());
}
