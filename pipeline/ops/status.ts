/**
 * `deno task etl status`: the recent runs, the last success and freshness
 * of each source, quarantine counts, the latest scheduled occurrences and
 * failed blocking quality checks, read from the run history; printed as
 * tables or as JSON.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { summarizeLakeDebt } from "@pipeline/snapshot/debt.ts";
import { formatSeconds } from "@pipeline/ops/alerts.ts";

/** A run as the status shows it. */
export interface StatusRun {
  run_id: string;
  pipeline: string;
  source: string;
  trigger: string;
  attempt: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  loaded: number | null;
  /** Quarantine rows this run kept (linked by `load_id`). */
  quarantined: number;
  error: string | null;
  error_stage: string | null;
  error_partition: string | null;
  /** Rows out and seconds per stage, in order. */
  stages: { stage: string; rows_out: number; seconds: number }[];
}

/** How fresh a source's data is. */
export interface SourceFreshness {
  source: string;
  last_status: string;
  last_run_at: string;
  last_success_at: string | null;
  /** Newest timestamp any run of the source loaded. */
  newest_ts: string | null;
  /** Seconds from `newest_ts` to now (null when nothing was loaded). */
  lag_seconds: number | null;
  /** Seconds since the last successful run finished. */
  since_success_seconds: number | null;
}

/** Quarantined records of one dataset and source. */
export interface QuarantineCount {
  dataset: string;
  source: string;
  rows: number;
  last_at: string | null;
}

/** One scheduled occurrence. */
export interface StatusOccurrence {
  pipeline: string;
  job: string;
  scheduled_for: string;
  status: string;
  attempts: number;
  run_id: string | null;
  reason: string | null;
}

/** A blocking data-quality check that failed (its partition was not loaded). */
export interface StatusCheckFailure {
  run_id: string;
  dataset: string;
  partition: string;
  check: string;
  message: string;
  checked_at: string;
}

/** The lake's debt of one table: partitions owed since a load changed them. */
export interface StatusLakeDebt {
  table: string;
  partitions: number;
  /** The first and last owed partition (`date=...`, `month=...`, `year=...`). */
  first: string;
  last: string;
  /** When the longest-owed partition became stale. */
  oldest: string;
  oldest_seconds: number;
}

/** Everything `status` shows. */
export interface StatusReport {
  generated_at: string;
  runs: StatusRun[];
  sources: SourceFreshness[];
  quarantine: QuarantineCount[];
  schedule: StatusOccurrence[];
  /** The latest failed blocking checks, newest first. */
  failed_checks: StatusCheckFailure[];
  /**
   * Lake partitions owed per table (empty: the lake matches the warehouse).
   * `status` only shows them; `etl snapshot` (or any run) pays them.
   */
  lake_debt: StatusLakeDebt[];
}

const iso = (d: Date | string | null | undefined) =>
  d === null || d === undefined ? null : new Date(d).toISOString();

/** Options of {@link readStatus}. */
export interface ReadStatusOptions {
  /** "Now", for lags. */
  now: Date;
  /** Recent runs (and occurrences) to list. Default 10. */
  limit?: number;
}

/** Reads the status from the run history (migrated database). */
export async function readStatus(
  client: SqlClient,
  options: ReadStatusOptions,
): Promise<StatusReport> {
  const { now, limit = 10 } = options;
  const runs = await client.query<
    Omit<StatusRun, "started_at" | "finished_at" | "seconds"> & {
      started_at: Date;
      finished_at: Date | null;
    }
  >(
    `SELECT r.run_id::text AS run_id, r.pipeline, r.source, r.trigger,
            r.attempt, r.status, r.started_at, r.finished_at,
            (r.summary -> 'counts' ->> 'loaded')::int AS loaded,
            (SELECT count(*)::int FROM quarantine q WHERE q.load_id = r.run_id)
              AS quarantined,
            r.error, r.error_stage, r.error_partition,
            COALESCE((SELECT json_agg(json_build_object(
                        'stage', s.stage, 'rows_out', s.rows_out::float8,
                        'seconds', s.seconds) ORDER BY s.ordinal)
                      FROM etl_run_stages s WHERE s.run_id = r.run_id),
                     '[]'::json) AS stages
     FROM etl_runs r ORDER BY r.started_at DESC, r.run_id LIMIT $1`,
    [limit],
  );
  const sources = await client.query<{
    source: string;
    last_status: string;
    last_run_at: Date;
    last_success_at: Date | null;
    newest_ts: Date | null;
  }>(
    `SELECT source,
            (array_agg(status ORDER BY started_at DESC))[1] AS last_status,
            max(started_at) AS last_run_at,
            max(finished_at) FILTER (WHERE status = 'succeeded')
              AS last_success_at,
            max(newest_ts) AS newest_ts
     FROM etl_runs GROUP BY source ORDER BY source`,
  );
  const quarantine = await client.query<QuarantineCount & { last_at: Date }>(
    `SELECT dataset, source, count(*)::int AS rows,
            max(quarantined_at) AS last_at
     FROM quarantine GROUP BY dataset, source ORDER BY dataset, source`,
  );
  const schedule = await client.query<
    StatusOccurrence & { scheduled_for: Date }
  >(
    `SELECT pipeline, job, scheduled_for, status, attempts,
            run_id::text AS run_id, reason
     FROM etl_schedule_occurrences
     ORDER BY scheduled_for DESC, job LIMIT $1`,
    [limit],
  );
  const failedChecks = await client.query<
    StatusCheckFailure & { checked_at: Date }
  >(
    `SELECT run_id::text AS run_id, dataset, partition, check_name AS check,
            message, checked_at
     FROM etl_checks WHERE status = 'fail'
     ORDER BY checked_at DESC, dataset, partition, check_name LIMIT $1`,
    [limit],
  );
  const since = (d: Date | null) =>
    d === null ? null : Math.round((now.getTime() - d.getTime()) / 1000);
  const lakeDebt = await summarizeLakeDebt(client);
  return {
    generated_at: now.toISOString(),
    runs: runs.rows.map((r) => ({
      ...r,
      started_at: iso(r.started_at)!,
      finished_at: iso(r.finished_at),
      seconds: r.finished_at
        ? (new Date(r.finished_at).getTime() -
          new Date(r.started_at).getTime()) / 1000
        : null,
    })),
    sources: sources.rows.map((s) => ({
      source: s.source,
      last_status: s.last_status,
      last_run_at: iso(s.last_run_at)!,
      last_success_at: iso(s.last_success_at),
      newest_ts: iso(s.newest_ts),
      lag_seconds: since(s.newest_ts),
      since_success_seconds: since(s.last_success_at),
    })),
    quarantine: quarantine.rows.map((q) => ({ ...q, last_at: iso(q.last_at) })),
    schedule: schedule.rows.map((o) => ({
      ...o,
      scheduled_for: iso(o.scheduled_for)!,
    })),
    failed_checks: failedChecks.rows.map((c) => ({
      ...c,
      checked_at: iso(c.checked_at)!,
    })),
    lake_debt: lakeDebt.map((d) => ({
      table: d.table,
      partitions: d.partitions,
      first: d.first,
      last: d.last,
      oldest: d.oldest.toISOString(),
      oldest_seconds: since(d.oldest) ?? 0,
    })),
  };
}

/** A text table: first row is the header; numbers right-aligned. */
export function formatTable(rows: string[][]): string {
  const head = rows[0];
  if (!head) return "";
  const widths = head.map((_, i) =>
    Math.max(...rows.map((r) => (r[i] ?? "").length))
  );
  const numeric = head.map((_, i) =>
    rows.slice(1).every((r) => /^-?[\d,.]+$|^$/.test(r[i] ?? ""))
  );
  const line = (r: string[]) =>
    r.map((c, i) =>
      numeric[i] && rows.length > 1
        ? c.padStart(widths[i]!)
        : c.padEnd(widths[i]!)
    ).join("  ").trimEnd();
  return [
    line(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ].join("\n");
}

const short = (iso: string | null) =>
  iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "Z") : "-";
const ago = (s: number | null) => s === null ? "-" : `${formatSeconds(s)} ago`;

/** The status as readable tables. */
export function formatStatus(report: StatusReport): string {
  const out: string[] = [`status at ${short(report.generated_at)}`, ""];
  out.push("Recent runs");
  if (report.runs.length === 0) out.push("(no runs yet)");
  else {
    out.push(formatTable([
      [
        "run",
        "pipeline",
        "trigger",
        "try",
        "status",
        "started",
        "seconds",
        "loaded",
        "quarantined",
        "error",
      ],
      ...report.runs.map((r) => [
        r.run_id.slice(0, 8),
        r.pipeline,
        r.trigger,
        String(r.attempt),
        r.status,
        short(r.started_at),
        r.seconds === null ? "" : r.seconds.toFixed(1),
        r.loaded === null ? "" : String(r.loaded),
        String(r.quarantined),
        r.error ? truncate(r.error, 60) : "",
      ]),
    ]));
  }
  out.push("", "Sources");
  if (report.sources.length === 0) out.push("(no runs yet)");
  else {
    out.push(formatTable([
      ["source", "last run", "last success", "newest data", "lag"],
      ...report.sources.map((s) => [
        s.source,
        `${s.last_status} ${short(s.last_run_at)}`,
        s.last_success_at
          ? `${short(s.last_success_at)} (${ago(s.since_success_seconds)})`
          : "never",
        short(s.newest_ts),
        s.lag_seconds === null ? "-" : formatSeconds(s.lag_seconds),
      ]),
    ]));
  }
  out.push("", "Quarantine");
  if (report.quarantine.length === 0) out.push("(empty)");
  else {
    out.push(formatTable([
      ["dataset", "source", "rows", "last"],
      ...report.quarantine.map((q) => [
        q.dataset,
        q.source,
        String(q.rows),
        short(q.last_at),
      ]),
    ]));
  }
  if (report.schedule.length > 0) {
    out.push("", "Scheduled occurrences");
    out.push(formatTable([
      ["pipeline", "job", "scheduled for", "status", "attempts", "reason"],
      ...report.schedule.map((o) => [
        o.pipeline,
        o.job,
        short(o.scheduled_for),
        o.status,
        String(o.attempts),
        o.reason ? truncate(o.reason, 60) : "",
      ]),
    ]));
  }
  if (report.failed_checks.length > 0) {
    out.push("", "Failed checks (partitions not loaded)");
    out.push(formatTable([
      ["run", "checked", "dataset", "partition", "check", "message"],
      ...report.failed_checks.map((c) => [
        c.run_id.slice(0, 8),
        short(c.checked_at),
        c.dataset,
        c.partition,
        c.check,
        truncate(c.message, 60),
      ]),
    ]));
  }
  out.push("", "Lake debt");
  if (report.lake_debt.length === 0) out.push("(none: the lake is current)");
  else {
    out.push(formatTable([
      ["table", "partitions", "first", "last", "owed since"],
      ...report.lake_debt.map((d) => [
        d.table,
        String(d.partitions),
        d.first,
        d.last,
        `${short(d.oldest)} (${ago(d.oldest_seconds)})`,
      ]),
    ]));
    out.push("pay it with: deno task etl snapshot");
  }
  return out.join("\n");
}

function truncate(text: string, n: number): string {
  const one = text.replace(/\s+/g, " ");
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
