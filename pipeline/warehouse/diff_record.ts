/**
 * Keeps snapshot diffs in `etl_snapshot_diffs`, one row per changed key;
 * `etl_snapshot_diff_summary` counts them per diff.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { SnapshotDiff } from "@pipeline/warehouse/diff.ts";

/** Options of {@link recordSnapshotDiff}. */
export interface RecordDiffOptions {
  /** The run (or `diff` command) that computed the diff. */
  runId: string;
}

/**
 * Records `diff`, replacing what an earlier computation of the same table
 * and dates recorded (a diff of two fixed snapshots is deterministic; a
 * snapshot rewritten by a re-run makes the old record stale). Runs in one
 * statement each for the delete and the insert; call inside a transaction
 * to make them one. Returns the rows recorded.
 */
export async function recordSnapshotDiff(
  client: SqlClient,
  diff: SnapshotDiff,
  options: RecordDiffOptions,
): Promise<number> {
  const rows = [
    ...diff.inserted.map((key) => ({ change: "insert", key })),
    ...diff.updated.map((key) => ({ change: "update", key })),
    ...diff.deleted.map((key) => ({ change: "delete", key })),
  ];
  await client.query(
    `DELETE FROM etl_snapshot_diffs
     WHERE table_name = $1 AND from_date = $2::date AND to_date = $3::date`,
    [diff.table, diff.from, diff.to],
  );
  if (rows.length === 0) return 0;
  const { rowCount } = await client.query(
    `INSERT INTO etl_snapshot_diffs
       (table_name, from_date, to_date, change, key, run_id)
     SELECT $1, $2::date, $3::date, e ->> 'change', e -> 'key', $4::uuid
     FROM jsonb_array_elements($5::jsonb) AS e`,
    [diff.table, diff.from, diff.to, options.runId, JSON.stringify(rows)],
  );
  return rowCount;
}
