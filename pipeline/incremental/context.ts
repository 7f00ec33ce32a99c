/**
 * Context rows for an incremental window: the warehouse rows just before each
 * entity's `since` that the transform needs to derive the window's columns
 * exactly as one run over all the data would (weather's 24-hour mean and
 * sum; bars recompute theirs from the warehouse in the load instead). The
 * run adds them to the valid frame, transforms, then trims the output back
 * to the window, so context rows are never written again.
 *
 * The cost follows the window, not the table: per entity one index range
 * scan of the lookback.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident } from "@pipeline/load/_copy.ts";

/** Options of {@link readContext}. */
export interface ContextOptions {
  /** The fact table (validated identifier). */
  table: string;
  /** Its entity column. */
  entity: string;
  /** Its timestamptz column. */
  time: string;
  /** The numeric columns to read (as float8), in the valid frame's names. */
  values: readonly string[];
  /** At least this many rows before `since` per entity. */
  rows: number;
  /** The frame the context joins: its columns and dtypes are matched. */
  like: pl.DataFrame;
}

/**
 * The context rows of every entity in `since`, shaped like `options.like`
 * (columns it has that the table lacks are null), sorted by entity and time.
 */
export async function readContext(
  client: SqlClient,
  since: ReadonlyMap<string, Date>,
  options: ContextOptions,
): Promise<pl.DataFrame> {
  const { entity, time, values, like } = options;
  if (since.size === 0) return like.head(0);
  const t = ident(options.table), e = ident(entity), ts = ident(time);
  // A few index range scans: Postgres' JIT, which big tables' cost
  // estimates switch on, would compile for longer than the query runs.
  const { rows } = await client.transaction(async (tx) => {
    await tx.exec("SET LOCAL jit = off");
    return await tx.query<Record<string, unknown>>(
      `SELECT b.${e} AS entity,
            (extract(epoch FROM b.${ts}) * 1000)::float8 AS ms,
            ${
        values.map((v) => `b.${ident(v)}::float8 AS ${ident(v)}`).join(", ")
      }
     FROM unnest($1::text[], $2::timestamptz[]) AS w(entity, since)
     CROSS JOIN LATERAL (
       SELECT (
         SELECT x.${ts} FROM ${t} x
         WHERE x.${e} = w.entity AND x.${ts} < w.since
         ORDER BY x.${ts} DESC OFFSET $3 LIMIT 1) AS lo
     ) l
     JOIN ${t} b ON b.${e} = w.entity
       AND b.${ts} >= coalesce(l.lo, '-infinity'::timestamptz)
       AND b.${ts} < w.since
     ORDER BY b.${e}, b.${ts}`,
      [
        [...since.keys()],
        [...since.values()].map((d) => d.toISOString()),
        Math.max(0, options.rows - 1),
      ],
    );
  });
  if (rows.length === 0) return like.head(0);
  const frame = pl.DataFrame({
    [entity]: rows.map((r) => r.entity as string),
    [time]: rows.map((r) => Number(r.ms)),
    ...Object.fromEntries(
      values.map((v) => [v, rows.map((r) => r[v] as number | null)]),
    ),
  });
  return frame.select(
    ...like.columns.map((name) => {
      const dtype = like.getColumn(name).dtype;
      if (name === time) return pl.col(name).cast(pl.Int64).cast(dtype);
      return frame.columns.includes(name)
        ? pl.col(name).cast(dtype)
        : pl.lit(null).cast(dtype).alias(name);
    }),
  );
}
