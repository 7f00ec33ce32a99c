/**
 * The SCD2 merge: a reference frame (one row per key, text attributes) into
 * a slowly changing dimension of type 2, set-based, in the caller's
 * transaction under a per-table advisory lock.
 *
 * The dimension has, besides the key and the attributes, `row_hash`,
 * `valid_from`, `valid_to` (NULL while open), `is_current`, `load_id` (the
 * run that opened the version) and `closed_load_id` (the run that closed
 * it); see migration `2026_12_01_0006_symbols`. A merge as of time T:
 *
 * 1. refuses to run when the dimension already has a version starting or
 *    ending after T (history only grows forward; an older load would
 *    overlap it);
 * 2. copies the frame into a temporary staging table (binary COPY) whose
 *    `row_hash` is a generated column: md5 of the attributes, each escaped
 *    (`\` → `\\`, `|` → `\|`), NULL as `\N`, joined by `|`, so two rows hash
 *    alike exactly when their attributes are equal, nulls included;
 * 3. closes the current versions whose hash differs (`valid_to` = T,
 *    `is_current` false);
 * 4. for a full load, closes the current versions of keys absent from the
 *    frame, except the held keys (named by quarantined records); a frame
 *    without rows closes nothing, since an unreadable or wholly rejected
 *    reference is not an empty universe;
 * 5. opens a version (`valid_from` = T) for every key without a current
 *    version: new keys and the ones closed in step 3.
 *
 * Unchanged keys are not touched, so re-running a load changes nothing.
 * Given `changes` (the keys a snapshot diff found), steps 3–5 only look at
 * those keys; with a diff against a snapshot equal to the current versions
 * the result is the same as comparing every key.
 *
 * A second change at the very instant T of a version's opening closes it
 * as the empty range [T, T): the history keeps what was loaded first.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { copyFrame } from "@pipeline/load/copy_frame.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { EtlError } from "@pipeline/errors.ts";

/** A type 2 dimension: its table, text key and text attributes. */
export interface Scd2TableSpec {
  /** Table name. */
  readonly name: string;
  /** The natural key column (text). */
  readonly key: string;
  /** The attribute columns (text, nullable) a new version is opened for. */
  readonly attributes: readonly string[];
}

/** The keys a snapshot diff found, to apply instead of comparing every key. */
export interface Scd2Changes {
  /** Keys inserted or updated: compared with their current versions. */
  changed: readonly string[];
  /** Keys deleted: their current versions close (full loads only). */
  deleted: readonly string[];
}

/** Options of {@link mergeScd2}. */
export interface Scd2Options {
  /** The run's id, stored as `load_id` / `closed_load_id`. */
  loadId: string;
  /** The run's clock: `valid_from` of opened and `valid_to` of closed versions. */
  asOf: Date;
  /** Whether the frame is the whole reference (absent keys close). Default true. */
  full?: boolean | undefined;
  /** Keys never closed for being absent (quarantined records). Default none. */
  held?: readonly string[] | undefined;
  /** Apply only these changes. Default: compare every key of the frame. */
  changes?: Scd2Changes | undefined;
}

/** What {@link mergeScd2} did. */
export interface Scd2Result {
  table: string;
  /** Rows in the frame. */
  rows: number;
  /** Versions opened (`added + changed`). */
  opened: number;
  /** Versions closed (`changed + removed`). */
  closed: number;
  /** Keys of the frame whose current version stayed as it was. */
  unchanged: number;
  /** Keys that had no current version. */
  added: number;
  /** Keys whose attributes changed: one version closed, one opened. */
  changed: number;
  /** Keys closed because a full load did not have them. */
  removed: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `"name"` after checking it against a strict pattern. */
function q(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid identifier: ${name}`);
  return `"${name}"`;
}

/**
 * The SQL of the row hash over `attributes` (see the module doc). The
 * backslash is `chr(92)` so the text means the same whatever
 * `standard_conforming_strings` says.
 */
export function rowHashSql(attributes: readonly string[]): string {
  const bs = "chr(92)";
  const enc = (a: string) =>
    `coalesce(replace(replace(${
      q(a)
    }, ${bs}, ${bs} || ${bs}), '|', ${bs} || '|'), ${bs} || 'N')`;
  return `md5(${attributes.map(enc).join(" || '|' || ")})`;
}

/**
 * Merges `reference` (unique by key; the key and every attribute column)
 * into the dimension `spec` inside `tx`; see the module doc.
 *
 * @throws EtlError (stage `load`, terminal) when the dimension already has
 *   history after `asOf`.
 */
export async function mergeScd2(
  tx: SqlClient,
  spec: Scd2TableSpec,
  reference: pl.DataFrame,
  options: Scd2Options,
): Promise<Scd2Result> {
  const { loadId, asOf, full = true, held = [], changes } = options;
  const result: Scd2Result = {
    table: spec.name,
    rows: reference.height,
    opened: 0,
    closed: 0,
    unchanged: reference.height,
    added: 0,
    changed: 0,
    removed: 0,
  };
  const table = q(spec.name), key = q(spec.key);
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `sluice.load.${spec.name}`,
  ]);
  const { rows: [bound] } = await tx.query<{ latest: Date | string | null }>(
    `SELECT max(greatest(valid_from, valid_to)) AS latest FROM ${table}`,
  );
  if (bound?.latest && new Date(bound.latest).getTime() > asOf.getTime()) {
    throw new EtlError(
      `${spec.name} already has versions up to ${
        new Date(bound.latest).toISOString()
      }; a load as of ${asOf.toISOString()} would rewrite its history (loads must move forward in time: check --as-of)`,
      { stage: "load", partition: spec.name },
    );
  }
  if (reference.height === 0) return result;

  const stage = q(`stage_${spec.name}`);
  const columns = [spec.key, ...spec.attributes];
  await tx.exec(
    `CREATE TEMP TABLE ${stage} (
       ${key} text PRIMARY KEY,
       ${spec.attributes.map((a) => `${q(a)} text`).join(", ")},
       row_hash text GENERATED ALWAYS AS (${rowHashSql(spec.attributes)}) STORED
     ) ON COMMIT DROP`,
  );
  await copyFrame(
    tx,
    reference.select(...columns.map((c) => pl.col(c).cast(pl.Utf8))),
    { table: `stage_${spec.name}`, columns },
  );
  if (changes) {
    await tx.query(
      `DELETE FROM ${stage} WHERE NOT (${key} = ANY($1::text[]))`,
      [[...changes.changed]],
    );
  }
  const count = async (sql: string, params: unknown[]) =>
    (await tx.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;
  const at = asOf.toISOString();
  const close = `valid_to = $1::timestamptz, is_current = false,
                 closed_load_id = $2::uuid`;

  result.changed = await count(
    `WITH closed AS (
       UPDATE ${table} d SET ${close}
       FROM ${stage} s
       WHERE d.${key} = s.${key} AND d.is_current AND d.row_hash <> s.row_hash
       RETURNING 1)
     SELECT count(*)::int AS n FROM closed`,
    [at, loadId],
  );
  if (full) {
    const absent = changes
      ? `d.${key} = ANY($4::text[])`
      : `NOT EXISTS (SELECT 1 FROM ${stage} s WHERE s.${key} = d.${key})`;
    result.removed = await count(
      `WITH closed AS (
         UPDATE ${table} d SET ${close}
         WHERE d.is_current AND ${absent}
           AND NOT (d.${key} = ANY($3::text[]))
         RETURNING 1)
       SELECT count(*)::int AS n FROM closed`,
      [at, loadId, [...held], ...(changes ? [[...changes.deleted]] : [])],
    );
  }
  const insertColumns = [
    ...columns,
    "row_hash",
    "valid_from",
    "valid_to",
    "is_current",
    "load_id",
  ];
  result.opened = await count(
    `WITH opened AS (
       INSERT INTO ${table} (${insertColumns.map(q).join(", ")})
       SELECT ${columns.map((c) => `s.${q(c)}`).join(", ")}, s.row_hash,
              $1::timestamptz, NULL, true, $2::uuid
       FROM ${stage} s
       WHERE NOT EXISTS (
         SELECT 1 FROM ${table} d WHERE d.${key} = s.${key} AND d.is_current)
       ORDER BY s.${key}
       RETURNING 1)
     SELECT count(*)::int AS n FROM opened`,
    [at, loadId],
  );
  await tx.exec(`DROP TABLE ${stage}`);
  result.added = result.opened - result.changed;
  result.closed = result.changed + result.removed;
  result.unchanged = result.rows - result.opened;
  return result;
}

/**
 * A merge as the run summary's table line: `inserted` = versions opened,
 * `updated` = versions closed, `unchanged` = keys left as they were.
 */
export function scd2UpsertResult(result: Scd2Result): UpsertResult {
  return {
    table: result.table,
    rows: result.rows,
    inserted: result.opened,
    updated: result.closed,
    unchanged: result.unchanged,
  };
}
