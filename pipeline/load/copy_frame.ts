/**
 * Binary COPY of a frame into an existing table: the load stage's bulk path
 * for callers outside it (the warehouse merges stage their input with it).
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident, identList } from "@pipeline/load/_copy.ts";
import { frameToBinaryChunks } from "@pipeline/load/_binary_copy.ts";

/** Options of {@link copyFrame}. */
export interface CopyFrameOptions {
  /** The target table (a temporary staging table, usually). */
  table: string;
  /**
   * The frame columns to copy, in the table's column-list order. Their
   * dtypes decide the wire types: Utf8 → text, Float64 → double precision,
   * Int32 → integer, Int64 → bigint, Datetime → timestamptz.
   */
  columns: readonly string[];
  /** A uuid appended to every row as one more column (e.g. `load_id`). */
  appendUuid?: { column: string; value: string } | undefined;
}

/**
 * Copies `options.columns` of `frame` into `options.table` with binary COPY
 * and returns the rows copied. Identifiers are checked against a strict
 * pattern before they reach the SQL text.
 */
export async function copyFrame(
  tx: SqlClient,
  frame: pl.DataFrame,
  options: CopyFrameOptions,
): Promise<number> {
  const { table, columns, appendUuid } = options;
  if (frame.height === 0) return 0;
  const target = appendUuid ? [...columns, appendUuid.column] : columns;
  return await tx.copyFrom(
    `COPY ${ident(table)} (${identList(target)}) FROM STDIN (FORMAT binary)`,
    frameToBinaryChunks(
      frame,
      columns,
      appendUuid ? { appendUuid: appendUuid.value } : {},
    ),
  );
}
