/**
 * Records the outcomes of a run's checks in `etl_checks`.
 * @module
 */
import { type ColumnType, type RawBuilder, sql } from "kysely";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import type {
  CheckOutcome,
  CheckStatus,
  Severity,
} from "@pipeline/quality/check.ts";

/** One check of one partition of a run (migration 0007). */
export interface EtlCheckTable {
  run_id: string;
  dataset: string;
  partition: string;
  check_name: string;
  severity: Severity;
  status: CheckStatus;
  observed: number | null;
  expected: number | null;
  threshold: number | null;
  message: string;
  checked_at: ColumnType<Date, Date | string, Date | string>;
}

/** The tables this module writes. */
export interface QualityDatabase {
  etl_checks: EtlCheckTable;
}

/** Options of {@link recordChecks}. */
export interface RecordChecksOptions {
  runId: string;
  dataset: string;
  /** When the checks ran (the wall clock). */
  checkedAt: Date;
}

/** Rows per INSERT: 11 parameters each, well under Postgres' 65 535. */
const CHUNK = 1000;

/**
 * Inserts one `etl_checks` row per outcome, in the caller's transaction if
 * `client` is one. A run that checks a partition more than once (a
 * backfill, once per day) keeps per check its worst outcome (fail, then
 * warn, then pass; the first of equals). Returns the outcomes given.
 */
export async function recordChecks(
  client: SqlClient,
  outcomes: readonly CheckOutcome[],
  options: RecordChecksOptions,
): Promise<number> {
  const db = kyselyFor<QualityDatabase>(client);
  const rows = outcomes.map((o) => ({
    run_id: options.runId,
    dataset: options.dataset,
    partition: o.partition,
    check_name: o.check,
    severity: o.severity,
    status: o.status,
    observed: finiteOrNull(o.observed),
    expected: finiteOrNull(o.expected),
    threshold: finiteOrNull(o.threshold),
    message: o.message,
    checked_at: options.checkedAt,
  }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.insertInto("etl_checks").values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(["run_id", "dataset", "partition", "check_name"])
          .doUpdateSet((eb) => ({
            severity: eb.ref("excluded.severity"),
            status: eb.ref("excluded.status"),
            observed: eb.ref("excluded.observed"),
            expected: eb.ref("excluded.expected"),
            threshold: eb.ref("excluded.threshold"),
            message: eb.ref("excluded.message"),
            checked_at: eb.ref("excluded.checked_at"),
          }))
          .where(
            sql<boolean>`${rank(sql.ref("excluded.status"))} > ${
              rank(sql.ref("etl_checks.status"))
            }`,
          )
      )
      .execute();
  }
  return rows.length;
}

/** pass 1, warn 2, fail 3: a status' rank as SQL. */
function rank(status: RawBuilder<unknown>) {
  return sql<number>`array_position(ARRAY['pass', 'warn', 'fail'], ${status})`;
}

function finiteOrNull(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}
