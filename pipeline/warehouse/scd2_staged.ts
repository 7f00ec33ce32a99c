/**
 * The SCD2 merge of a staged source table (`@pipeline/warehouse/scd2.ts`):
 * the staged rows (all of them, or only the keys a snapshot diff found)
 * read as a text frame and merged as of the run's clock. A snapshot diff's
 * deleted keys close their current versions; without a diff every key is
 * compared and keys absent from the table close.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type {
  StagedRows,
  TableLoadContext,
} from "@pipeline/datasets/table_dataset.ts";
import {
  mergeScd2,
  type Scd2TableSpec,
  scd2UpsertResult,
} from "@pipeline/warehouse/scd2.ts";

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
function q(name: string): string {
  if (!IDENT.test(name)) throw new TypeError(`invalid identifier ${name}`);
  return `"${name}"`;
}

/**
 * Merges `staged` into the dimension `spec`; `sourceKey` is the stage's key
 * column (the dimension's key is its text), the attributes have the same
 * names in both.
 */
export async function mergeStagedScd2(
  tx: SqlClient,
  spec: Scd2TableSpec,
  staged: StagedRows,
  context: TableLoadContext,
  sourceKey: string,
): Promise<UpsertResult> {
  const keyText = `${q(sourceKey)}::text`;
  const select = `SELECT ${keyText} AS ${q(spec.key)}, ${
    spec.attributes.map((a) => `${q(a)}::text AS ${q(a)}`).join(", ")
  } FROM ${q(staged.table)}`;
  const { rows } = staged.changes
    ? await tx.query<Record<string, string | null>>(
      `${select} WHERE ${keyText} = ANY($1::text[])`,
      [staged.changes.changed],
    )
    : await tx.query<Record<string, string | null>>(select);
  const columns = [spec.key, ...spec.attributes];
  const frame = pl.DataFrame(
    columns.map((c) => pl.Series(c, rows.map((r) => r[c] ?? null), pl.Utf8)),
  );
  const changes = staged.changes ?? undefined;
  // A diff with only deletions: the merge needs a non-empty frame to act,
  // so close the deleted keys through the same merge with the frame empty
  // but the changes given.
  const result = await mergeScd2(tx, spec, frame, {
    loadId: context.loadId,
    asOf: context.asOf,
    full: staged.whole,
    changes,
  });
  if (frame.height === 0 && changes && changes.deleted.length > 0) {
    const { rows: [closed] } = await tx.query<{ n: number }>(
      `WITH c AS (
         UPDATE ${q(spec.name)} SET valid_to = $1::timestamptz,
           is_current = false, closed_load_id = $2::uuid
         WHERE is_current AND ${q(spec.key)} = ANY($3::text[])
         RETURNING 1)
       SELECT count(*)::int AS n FROM c`,
      [context.asOf.toISOString(), context.loadId, changes.deleted],
    );
    result.removed = closed?.n ?? 0;
    result.closed = result.removed;
  }
  return scd2UpsertResult(result);
}
