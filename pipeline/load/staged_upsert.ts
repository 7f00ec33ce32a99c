/**
 * A merge from a staged temporary table into a fact table keyed by one
 * column: new keys inserted, existing ones updated only where a compared
 * value differs (`IS DISTINCT FROM`), so a re-read of the same rows writes
 * nothing. Counts come from `xmax` (0 on a fresh insert).
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
function q(name: string): string {
  if (!IDENT.test(name)) throw new TypeError(`invalid identifier ${name}`);
  return `"${name}"`;
}

/** Options of {@link upsertStaged}. */
export interface StagedUpsert {
  /** The target table. */
  target: string;
  /** The staged temporary table. */
  stage: string;
  /** The target's key column. */
  key: string;
  /**
   * Target column → SQL expression over the stage (aliased `s`), e.g.
   * `{ trade_id: "s.id", amount: "s.quantity * s.price" }`. Include the key.
   */
  columns: Readonly<Record<string, string>>;
  /** Columns written but not compared (e.g. `load_id`). */
  uncompared?: readonly string[];
  /** The run id, as `$1` in expressions. */
  loadId: string;
}

/** Runs the merge in `tx`; see the module doc. */
export async function upsertStaged(
  tx: SqlClient,
  spec: StagedUpsert,
): Promise<UpsertResult> {
  const cols = Object.keys(spec.columns);
  const compared = cols.filter((c) =>
    c !== spec.key && !(spec.uncompared ?? []).includes(c)
  );
  const t = q(spec.target);
  const { rows: [counts] } = await tx.query<
    { rows: number; inserted: number; updated: number }
  >(
    `WITH up AS (
       INSERT INTO ${t} AS t (${cols.map(q).join(", ")})
       SELECT ${cols.map((c) => spec.columns[c]).join(", ")}
       FROM ${q(spec.stage)} s
       ON CONFLICT (${q(spec.key)}) DO UPDATE SET ${
      cols.filter((c) => c !== spec.key).map((c) =>
        `${q(c)} = excluded.${q(c)}`
      )
        .join(", ")
    }
       WHERE (${compared.map((c) => `t.${q(c)}`).join(", ")})
         IS DISTINCT FROM (${
      compared.map((c) => `excluded.${q(c)}`).join(", ")
    })
       RETURNING (xmax = 0) AS fresh)
     SELECT (SELECT count(*) FROM ${q(spec.stage)})::int AS rows,
            count(*) FILTER (WHERE fresh)::int AS inserted,
            count(*) FILTER (WHERE NOT fresh)::int AS updated
     FROM up`,
    [spec.loadId],
  );
  const rows = counts?.rows ?? 0, inserted = counts?.inserted ?? 0;
  const updated = counts?.updated ?? 0;
  return {
    table: spec.target,
    rows,
    inserted,
    updated,
    unchanged: rows - inserted - updated,
  };
}
