/**
 * Idempotent bulk upsert of a frame into a fact table keyed by
 * (entity, time), through COPY.
 *
 * Rows whose key cannot exist yet in the table (outside the span of existing
 * keys of their entity) are copied straight into the table; the others are
 * copied into a temporary staging table and merged with
 * `INSERT ... ON CONFLICT DO UPDATE`, which only rewrites rows whose values
 * changed (derived columns, recomputed after the merge, are not compared).
 * Both happen in the caller's transaction under a per-table advisory
 * lock, so a concurrent writer cannot slip a conflicting key in between.
 * A re-run of the same data therefore changes nothing, and a first load costs
 * about one COPY rather than a COPY plus a merge.
 *
 * Before copying, the range partitions covering the frame's time span (and
 * the table's periods ahead) are created when missing (`ensurePartitions`):
 * one catalog query when they exist already.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident, identList } from "@pipeline/load/_copy.ts";
import { frameToBinaryChunks } from "@pipeline/load/_binary_copy.ts";
import { ensurePartitions } from "@pipeline/warehouse/partitions.ts";

/** A fact table keyed by (entity, time). */
export interface FactTableSpec {
  /** Table name. */
  readonly name: string;
  /** The entity column of the key (symbol, location). */
  readonly entity: string;
  /** The timestamptz column of the key. */
  readonly time: string;
  /** Every data column in frame order, the key columns included. */
  readonly columns: readonly string[];
  /**
   * Columns recomputed from the warehouse after the merge (a derived
   * asset of the table itself): written with a new or changed row, but not
   * compared, so a row whose other columns are unchanged is left alone.
   */
  readonly derivedColumns?: readonly string[];
}

/** What an upsert did to one table. */
export interface UpsertResult {
  table: string;
  /** Rows in the frame. */
  rows: number;
  /** Rows that did not exist before. */
  inserted: number;
  /** Existing rows whose values changed. */
  updated: number;
  /** Existing rows left as they were (identical values). */
  unchanged: number;
  /**
   * Rows not counted as inserted or updated whose derived columns a
   * recompute from the warehouse rewrote (the rows after a correction).
   */
  recomputed?: number;
  /**
   * UTC dates (YYYY-MM-DD) of rows a recompute rewrote, which may lie
   * beyond the batch's own dates: their lake partitions changed too.
   */
  dates?: string[];
}

/** Options of {@link upsertFrame}. */
export interface UpsertOptions {
  /** The run's id, stored in `load_id` of inserted and updated rows. */
  loadId: string;
  /** Told the rows of each COPY chunk sent (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

/**
 * Upserts `frame` (unique by key) into `spec.name`. Call inside a
 * transaction: see the module doc.
 */
export async function upsertFrame(
  tx: SqlClient,
  spec: FactTableSpec,
  frame: pl.DataFrame,
  options: UpsertOptions,
): Promise<UpsertResult> {
  const result = {
    table: spec.name,
    rows: frame.height,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  if (frame.height === 0) return result;
  const table = ident(spec.name);
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `sluice.load.${spec.name}`,
  ]);
  const span = frame.select(
    pl.col(spec.time).cast(pl.Int64).min().alias("lo"),
    pl.col(spec.time).cast(pl.Int64).max().alias("hi"),
  ).row(0).map(Number);
  await ensurePartitions(tx, {
    table: spec.name,
    from: new Date(span[0]!),
    to: new Date(span[1]! + 1),
  });
  const columns = [...spec.columns, "load_id"];
  const { direct, merge } = await splitByOverlap(tx, spec, frame);
  const encode = (part: pl.DataFrame) =>
    frameToBinaryChunks(part, spec.columns, {
      appendUuid: options.loadId,
      onRows: options.onRows,
    });

  if (direct.height > 0) {
    result.inserted += await tx.copyFrom(
      `COPY ${table} (${identList(columns)}) FROM STDIN (FORMAT binary)`,
      encode(direct),
    );
  }
  if (merge.height > 0) {
    const stage = ident(`stage_${spec.name}`);
    await tx.exec(
      `CREATE TEMP TABLE ${stage} (LIKE ${table}) ON COMMIT DROP`,
    );
    await tx.copyFrom(
      `COPY ${stage} (${identList(columns)}) FROM STDIN (FORMAT binary)`,
      encode(merge),
    );
    const key = [spec.entity, spec.time];
    const values = spec.columns.filter((c) => !key.includes(c));
    const set = [...values, "load_id"]
      .map((c) => `${ident(c)} = excluded.${ident(c)}`).join(", ");
    const derived = spec.derivedColumns ?? [];
    const compared = values.filter((c) => !derived.includes(c));
    const changed = `(${compared.map((c) => `t.${ident(c)}`).join(", ")})
      IS DISTINCT FROM (${
      compared.map((c) => `excluded.${ident(c)}`).join(", ")
    })`;
    // A partitioned table cannot return `xmax` to tell an insert from an
    // update; the keys missing before the statement are its inserts (every
    // part of one statement reads the same snapshot, and the advisory lock
    // keeps other writers out).
    const match = key.map((c) => `x.${ident(c)} = s.${ident(c)}`)
      .join(" AND ");
    const { rows } = await tx.query<{ inserted: number; updated: number }>(`
      WITH merged AS (
        INSERT INTO ${table} AS t (${identList(columns)})
        SELECT ${identList(columns)} FROM ${stage}
        ON CONFLICT (${identList(key)}) DO UPDATE SET ${set} WHERE ${changed}
        RETURNING 1
      ), fresh AS (
        SELECT count(*)::int AS n FROM ${stage} s
        WHERE NOT EXISTS (SELECT 1 FROM ${table} x WHERE ${match})
      )
      SELECT fresh.n AS inserted,
             ((SELECT count(*) FROM merged) - fresh.n)::int AS updated
      FROM fresh`);
    await tx.exec(`DROP TABLE ${stage}`);
    const counts = rows[0] ?? { inserted: 0, updated: 0 };
    result.inserted += counts.inserted;
    result.updated += counts.updated;
    result.unchanged += merge.height - counts.inserted - counts.updated;
  }
  return result;
}

/**
 * Splits `frame` into rows outside the span [min, max] of the keys the
 * table already holds for their entity within the frame's own span (they
 * cannot conflict) and rows inside it (they must be merged). Costs two index
 * probes per entity.
 */
async function splitByOverlap(
  tx: SqlClient,
  spec: FactTableSpec,
  frame: pl.DataFrame,
): Promise<{ direct: pl.DataFrame; merge: pl.DataFrame }> {
  const { entity, time } = spec;
  const bounds = frame.groupBy(entity).agg(
    pl.col(time).min().alias("lo"),
    pl.col(time).max().alias("hi"),
  );
  const entities = bounds.getColumn(entity).toArray() as string[];
  const toIso = (s: pl.Series) =>
    Array.from(
      s.cast(pl.Int64).toArray(),
      (ms) => new Date(Number(ms)).toISOString(),
    );
  const table = ident(spec.name);
  const e = ident(entity), t = ident(time);
  const { rows } = await tx.query<
    { entity: string; emin: Date | null; emax: Date | null }
  >(
    `SELECT b.entity,
       (SELECT min(${t}) FROM ${table} x
         WHERE x.${e} = b.entity AND x.${t} BETWEEN b.lo AND b.hi) AS emin,
       (SELECT max(${t}) FROM ${table} x
         WHERE x.${e} = b.entity AND x.${t} BETWEEN b.lo AND b.hi) AS emax
     FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
       AS b(entity, lo, hi)`,
    [
      entities,
      toIso(bounds.getColumn("lo")),
      toIso(bounds.getColumn("hi")),
    ],
  );
  const overlapping = rows.filter((r) => r.emin !== null && r.emax !== null);
  if (overlapping.length === 0) return { direct: frame, merge: frame.head(0) };
  const spans = pl.DataFrame({
    [entity]: overlapping.map((r) => r.entity),
    _emin: overlapping.map((r) => new Date(r.emin!).getTime()),
    _emax: overlapping.map((r) => new Date(r.emax!).getTime()),
  }).withColumns(
    pl.col("_emin").cast(pl.Datetime("ms", "UTC")),
    pl.col("_emax").cast(pl.Datetime("ms", "UTC")),
  );
  const joined = frame.join(spans, { on: entity, how: "left" });
  const inside = pl.col("_emin").isNotNull()
    .and(pl.col(time).gtEq(pl.col("_emin")))
    .and(pl.col(time).ltEq(pl.col("_emax")));
  const cols = frame.columns;
  return {
    direct: joined.filter(inside.not()).select(...cols),
    merge: joined.filter(inside).select(...cols),
  };
}
