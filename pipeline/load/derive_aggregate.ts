/**
 * Recomputes an {@link AggregateAsset} for the buckets a batch touched, from
 * the upstream's rows in the warehouse, in one statement:
 * `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE ... WHERE
 * (values) IS DISTINCT FROM (new values)`, so a bucket whose aggregate did
 * not change is not rewritten.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident, identList } from "@pipeline/load/_copy.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { AggregateAsset } from "@pipeline/load/derived_asset.ts";
import { ensurePartitions } from "@pipeline/warehouse/partitions.ts";
import { EtlError } from "@pipeline/errors.ts";
import { deriveError } from "@pipeline/load/_derive_error.ts";

/** Options of {@link deriveAggregate}. */
export interface DeriveOptions {
  /** The load's id, stored in `load_id` of rows written. */
  loadId: string;
}

/**
 * The buckets of `touched`'s rows (aligned to the epoch) as runs of
 * consecutive buckets per entity: columns `entity`, `lo` (first bucket's
 * start) and `hi` (end of the last bucket), epoch milliseconds.
 */
export function touchedSpans(
  touched: pl.DataFrame,
  upstream: { entity: string; time: string },
  everyMs: number,
): pl.DataFrame {
  // Integer arithmetic with an Int64 literal: polars divides by a constant
  // through its reciprocal, and takes a plain number literal as a float
  // (1795186800000 % 3600000 came out as 3600000), either of which puts
  // 15:00 into the 14:00 bucket now and then.
  const ms = pl.col(upstream.time).cast(pl.Int64);
  const width = pl.lit(everyMs).cast(pl.Int64);
  const buckets = touched.select(
    pl.col(upstream.entity).alias("entity"),
    ms.minus(ms.modulo(width)).cast(pl.Float64).alias("bucket"),
  ).unique().sort(["entity", "bucket"]);
  const entity = pl.col("entity"), bucket = pl.col("bucket");
  const starts = entity.neq(entity.shift(1))
    .or(bucket.minus(bucket.shift(1)).neq(everyMs)).fillNull(true);
  return buckets
    .withColumns(starts.cast(pl.Int32).cumSum().alias("run"))
    .groupBy(["entity", "run"])
    .agg(bucket.min().alias("lo"), bucket.max().plus(everyMs).alias("hi"))
    .select("entity", "lo", "hi");
}

/**
 * Aggregates the upstream rows of every bucket of `touched` (a frame with
 * the upstream's entity and time columns) into `asset.table`, inside the
 * caller's transaction, after the upstream was merged. Counts are those of
 * the statement: buckets aggregated (`rows`), new, rewritten, and left as
 * they were.
 *
 * @throws EtlError (stage `load`, partition = the table) when the
 *   statement fails, with the database error as `cause` (transient when
 *   its SQLSTATE says a retry may help).
 */
export async function deriveAggregate(
  tx: SqlClient,
  asset: AggregateAsset,
  touched: pl.DataFrame,
  options: DeriveOptions,
): Promise<UpsertResult> {
  const result = {
    table: asset.table,
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  if (!(Number.isInteger(asset.everyMs) && asset.everyMs > 0)) {
    throw new EtlError(
      `derived table ${asset.table}: bucket width ${asset.everyMs} ms is not a positive whole number`,
      { stage: "load", partition: asset.table },
    );
  }
  const spans = touchedSpans(touched, asset.upstream, asset.everyMs);
  if (spans.height === 0) return result;
  const los = spans.getColumn("lo").toArray() as number[];
  const his = spans.getColumn("hi").toArray() as number[];
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `sluice.load.${asset.table}`,
  ]);
  await ensurePartitions(tx, {
    table: asset.table,
    from: new Date(los.reduce((a, b) => Math.min(a, b))),
    to: new Date(his.reduce((a, b) => Math.max(a, b))),
  });

  const table = ident(asset.table);
  const up = ident(asset.upstream.name);
  const e = ident(asset.upstream.entity), t = ident(asset.upstream.time);
  const names = Object.keys(asset.columns);
  const cols = identList(names);
  const aggregates = names.map((n) => `${asset.columns[n]} AS ${ident(n)}`)
    .join(",\n               ");
  const width = `(${asset.everyMs}::bigint * interval '1 millisecond')`;
  // Every bucket of a span was touched. Each span is aggregated on its own
  // (LATERAL, kept from being pulled up by OFFSET 0): one index range scan
  // of the upstream and a small in-memory sort per span, where one join
  // over all spans lets the planner join on the entity alone and sort the
  // whole upstream range for the ordered aggregates.
  const sql = `
    WITH span AS (
      SELECT s.entity, to_timestamp(s.lo / 1000.0) AS lo,
             to_timestamp(s.hi / 1000.0) AS hi
      FROM unnest($1::text[], $2::float8[], $3::float8[]) AS s(entity, lo, hi)
    ), agg AS (
      SELECT span.entity AS ${e}, a.bucket AS ${t}, ${
    names.map((n) => `a.${ident(n)}`).join(", ")
  }
      FROM span CROSS JOIN LATERAL (
        SELECT date_bin(${width}, ${t}, 'epoch'::timestamptz) AS bucket,
               ${aggregates}
        FROM ${up}
        WHERE ${e} = span.entity AND ${t} >= span.lo AND ${t} < span.hi
        GROUP BY 1
        OFFSET 0
      ) a
    ), merged AS (
      INSERT INTO ${table} AS x (${e}, ${t}, ${cols}, load_id)
      SELECT ${e}, ${t}, ${cols}, $4::uuid FROM agg
      ON CONFLICT (${e}, ${t}) DO UPDATE
        SET ${
    [...names, "load_id"].map((n) => `${ident(n)} = excluded.${ident(n)}`)
      .join(", ")
  }
        WHERE (${names.map((n) => `x.${ident(n)}`).join(", ")})
          IS DISTINCT FROM (${
    names.map((n) => `excluded.${ident(n)}`).join(", ")
  })
      RETURNING 1
    ), fresh AS (
      SELECT count(*)::int AS n FROM agg
      WHERE NOT EXISTS (
        SELECT 1 FROM ${table} y WHERE y.${e} = agg.${e} AND y.${t} = agg.${t})
    )
    SELECT (SELECT count(*)::int FROM agg) AS rows, fresh.n AS inserted,
           ((SELECT count(*) FROM merged) - fresh.n)::int AS updated
    FROM fresh`;
  let counts: { rows: number; inserted: number; updated: number };
  try {
    const { rows } = await tx.query<typeof counts>(sql, [
      spans.getColumn("entity").toArray() as string[],
      los,
      his,
      options.loadId,
    ]);
    counts = rows[0] ?? { rows: 0, inserted: 0, updated: 0 };
  } catch (cause) {
    throw deriveError(
      asset.table,
      `${asset.table} from ${asset.upstream.name} for ${spans.height} span(s) of buckets`,
      cause,
    );
  }
  return {
    ...result,
    rows: counts.rows,
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: counts.rows - counts.inserted - counts.updated,
  };
}
