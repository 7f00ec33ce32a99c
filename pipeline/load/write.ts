/**
 * Writes a frame into a resource's table by the resource's write mode, in
 * the caller's transaction. Every written row carries the load's `load_id`.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident, identList } from "@pipeline/load/_copy.ts";
import { frameToBinaryChunks } from "@pipeline/load/_binary_copy.ts";
import { upsertFrame, type UpsertResult } from "@pipeline/load/upsert.ts";
import { checkFrame, type ResourceSpec } from "@pipeline/load/resource.ts";
import { EtlError } from "@pipeline/errors.ts";
import { evolveSchema } from "@pipeline/load/evolve.ts";

/** Options of {@link writeResource}. */
export interface WriteOptions {
  /** The load's id, stored in `load_id` of every row written. */
  loadId: string;
  /** The source, recorded with schema changes. Default `unknown`. */
  source?: string | undefined;
  /** Told the rows of each COPY chunk sent (progress). Default nothing. */
  onRows?: ((rows: number) => void) | undefined;
}

/**
 * Writes `given` (the resource's schema columns, any order) into
 * `spec.name` by `spec.writeMode`. Call inside a transaction. Extra
 * columns (`+<field>`) are added to the table first
 * (`@pipeline/load/evolve.ts`).
 *
 * - `append`: binary COPY straight into the table.
 * - `replace`: binary COPY into a temporary staging table, then the table's
 *   rows are deleted and the staged rows inserted, in the same transaction:
 *   readers see the old contents or the new, never a mix.
 * - `merge`: the frame is de-duplicated by primary key keeping the newest by
 *   cursor (the last in frame order among equal cursors), then upserted by
 *   {@link upsertFrame} (COPY, and `INSERT ... ON CONFLICT DO UPDATE` only
 *   where keys overlap; unchanged rows are not rewritten).
 * - `scd2`: not a frame write: dimensions load through their own merge.
 *
 * @throws EtlError (stage `load`) when the frame does not match the schema.
 */
export async function writeResource(
  tx: SqlClient,
  resource: ResourceSpec,
  given: pl.DataFrame,
  options: WriteOptions,
): Promise<UpsertResult> {
  checkFrame(resource, given);
  // Source fields outside the schema become columns (recorded migrations).
  const { spec, frame } = await evolveSchema(tx, resource, given, {
    source: options.source ?? "unknown",
    loadId: options.loadId,
  });
  const columns = spec.columns;
  const empty = {
    table: spec.name,
    rows: frame.height,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  const copySql = (table: string) =>
    `COPY ${table} (${
      identList([...columns, "load_id"])
    }) FROM STDIN (FORMAT binary)`;
  const encode = (part: pl.DataFrame) =>
    frameToBinaryChunks(part, columns, {
      appendUuid: options.loadId,
      onRows: options.onRows,
    });
  switch (spec.writeMode) {
    case "append": {
      if (frame.height === 0) return empty;
      const inserted = await tx.copyFrom(
        copySql(ident(spec.name)),
        encode(frame),
      );
      return { ...empty, inserted };
    }
    case "replace": {
      const table = ident(spec.name);
      const stage = ident(`stage_${spec.name}`);
      await tx.exec(
        `CREATE TEMP TABLE ${stage} (LIKE ${table}) ON COMMIT DROP`,
      );
      if (frame.height > 0) await tx.copyFrom(copySql(stage), encode(frame));
      await tx.exec(`DELETE FROM ${table}`);
      const { rowCount } = await tx.query(
        `INSERT INTO ${table} (${identList([...columns, "load_id"])})
         SELECT ${identList([...columns, "load_id"])} FROM ${stage}`,
      );
      await tx.exec(`DROP TABLE ${stage}`);
      return { ...empty, inserted: rowCount };
    }
    case "merge":
      return await upsertFrame(tx, spec, newestByKey(spec, frame), options);
    case "scd2":
      throw new EtlError(
        `resource ${spec.name} is an scd2 dimension: load it with its dimension merge`,
        { stage: "load", partition: spec.name },
      );
  }
}

/**
 * The frame unique by primary key, keeping per key the row with the newest
 * cursor (among equal cursors the last in frame order). A frame that is
 * unique already is returned as it is (one pass to find out).
 */
export function newestByKey(
  spec: ResourceSpec,
  frame: pl.DataFrame,
): pl.DataFrame {
  if (frame.height < 2) return frame;
  const key = [...spec.primaryKey];
  // A frame strictly ascending by key (what the transforms hand over) is
  // unique: two vectorised comparisons instead of hashing every key.
  if (strictlyAscending(frame, key)) return frame;
  const [dupes] = frame.select(
    pl.struct(key.map((k) => pl.col(k))).isDuplicated().any().alias("d"),
  ).getColumn("d").toArray();
  if (!dupes) return frame;
  return frame
    .withColumns(pl.intRange(0, frame.height, 1, pl.Int64, false).alias("__n"))
    .sort({ by: [spec.cursor, "__n"] })
    .unique({ subset: key, keep: "last", maintainOrder: true })
    .sort("__n")
    .drop("__n");
}

/** Whether `frame` is strictly ascending by `key` (lexicographically). */
function strictlyAscending(
  frame: pl.DataFrame,
  key: readonly string[],
): boolean {
  let after: pl.Expr | null = null;
  for (const column of [...key].reverse()) {
    const c = pl.col(column), prev = pl.col(column).shift(1);
    after = after === null ? c.gt(prev) : c.gt(prev).or(c.eq(prev).and(after));
  }
  const [ok] = frame.select(
    after!.slice(1, frame.height - 1).all().alias("ok"),
  ).getColumn("ok").toArray();
  return ok === true;
}
