/**
 * The run summary: per stage rows in and out and seconds, the reconciled
 * counts, per-partition outcomes; printed as a table or as one JSON object.
 * @module
 */
import type { Stage } from "@pipeline/errors.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import {
  type CheckSummary,
  formatChecks,
} from "@pipeline/quality/check_summary.ts";

/** One stage's figures. */
export interface StageStat {
  stage: Stage;
  rows_in: number;
  rows_out: number;
  seconds: number;
}

/** The outcome of one source partition. */
export interface PartitionOutcome {
  partition: string;
  status: "succeeded" | "failed";
  rows: number;
  /** Why it failed (secrets removed), when it did. */
  error?: string;
  /** Whether a retry may help, when it failed. */
  transient?: boolean;
}

/**
 * The counts of a run: what the run committed. They reconcile:
 * `extracted = loaded + quarantined + duplicates + not_loaded`.
 */
export interface RunCounts {
  /** Records the source delivered. */
  extracted: number;
  /** Unique valid bars handed to the load (inserted, updated or unchanged). */
  loaded: number;
  /**
   * Records kept in quarantine: rejected by validation, or of a partition a
   * blocking quality check stopped.
   */
  quarantined: number;
  /**
   * Exact duplicate records dropped by the transform (of a blocked
   * partition: the copies of the records kept in quarantine).
   */
  duplicates: number;
  /**
   * Records of a load that did not commit (it failed, or the run stopped
   * before it): none of them is in the warehouse or the quarantine, so
   * `loaded`, `quarantined` and `duplicates` are 0. Absent when the load
   * committed or there was nothing to load.
   */
  not_loaded?: number;
}

/** What started a run. */
export type RunTrigger = "manual" | "schedule" | "backfill";

/** Every {@link RunTrigger}. */
export const RUN_TRIGGERS: readonly RunTrigger[] = [
  "manual",
  "schedule",
  "backfill",
];

/** Everything a run reports. */
export interface RunSummary {
  run_id: string;
  /** The pipeline (unit of locking and scheduling); default the source name. */
  pipeline: string;
  source: string;
  /** What started the run. */
  trigger: RunTrigger;
  /** 1 for a first attempt; the scheduler's retries count up. */
  attempt: number;
  /** The scheduled occurrence this run serves, for scheduled runs. */
  scheduled_for: string | null;
  status: "succeeded" | "failed";
  started_at: string;
  finished_at: string;
  counts: RunCounts;
  stages: StageStat[];
  partitions: PartitionOutcome[];
  tables: UpsertResult[];
  snapshot: { duckdb: string; files: number; dates: string[] } | null;
  /** Peak resident memory of the process, in MiB (Linux only). */
  peak_rss_mib: number | null;
  /**
   * Seconds from the start of this process to the first stage (the
   * extract) beginning: module loading, opening the database, migrations,
   * the run's record. Null when the run did not reach a stage.
   */
  startup_seconds: number | null;
  /** When the first stage began (ISO-8601 with milliseconds), or null. */
  first_stage_at: string | null;
  /** The error that failed the run, naming stage and partition. */
  error: string | null;
  /** The stage of that error. */
  error_stage: Stage | null;
  /** The partition(s) of that error, comma-separated. */
  error_partition: string | null;
  /** The data-quality checks, when the run reached them. */
  checks: CheckSummary | null;
  /** The newest timestamp this run loaded (committed), for freshness. */
  newest_ts: string | null;
  /** Whether SIGINT/SIGTERM stopped the run before it finished. */
  interrupted: boolean;
}

/** Whether the counts reconcile. */
export function countsReconcile(c: RunCounts): boolean {
  return c.extracted ===
    c.loaded + c.quarantined + c.duplicates + (c.not_loaded ?? 0);
}

/** Peak resident set size of this process in MiB, from /proc (Linux). */
export function peakRssMib(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Seconds since this process started: from /proc (Linux; the kernel's start
 * time, which counts the runtime's own start-up), else from the runtime's
 * time origin.
 */
export function processSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Field 22 (starttime, clock ticks since boot); the command name (field
    // 2, in parentheses) may hold spaces, so count after its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const uptime = Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]);
    // USER_HZ is 100 on every Linux ABI Deno runs on.
    const seconds = uptime - ticks / 100;
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  } catch {
    // not Linux: below
  }
  return performance.now() / 1000;
}

const fmtInt = (n: number) => n.toLocaleString("en-US");

/** The summary as a readable table (for stderr). */
export function formatSummary(s: RunSummary): string {
  const trigger = s.trigger === "manual"
    ? ""
    : `  trigger=${s.trigger} attempt=${s.attempt}`;
  const pipeline = s.pipeline === s.source ? "" : `  pipeline=${s.pipeline}`;
  const lines = [
    `run ${s.run_id}${pipeline}  source=${s.source}  status=${s.status}${trigger}`,
    "",
  ];
  const head = ["stage", "rows in", "rows out", "seconds"];
  const rows = s.stages.map((x) => [
    x.stage,
    fmtInt(x.rows_in),
    fmtInt(x.rows_out),
    x.seconds.toFixed(2),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]!.length))
  );
  const line = (r: string[]) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))
      .join("  ");
  lines.push(line(head), widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) lines.push(line(r));
  const c = s.counts;
  lines.push(
    "",
    `extracted ${fmtInt(c.extracted)} = loaded ${fmtInt(c.loaded)} + ` +
      `quarantined ${fmtInt(c.quarantined)} + duplicates ${
        fmtInt(c.duplicates)
      }${
        c.not_loaded === undefined
          ? ""
          : ` + not loaded ${fmtInt(c.not_loaded)} (nothing committed)`
      }${countsReconcile(c) ? "" : "  (DOES NOT RECONCILE)"}`,
  );
  for (const t of s.tables) {
    lines.push(
      `${t.table}: ${fmtInt(t.inserted)} inserted, ${
        fmtInt(t.updated)
      } updated, ${fmtInt(t.unchanged)} unchanged${
        t.recomputed ? `, ${fmtInt(t.recomputed)} more recomputed` : ""
      }`,
    );
  }
  if (s.snapshot) {
    lines.push(
      `snapshot: ${s.snapshot.files} parquet files for ${s.snapshot.dates.length} dates -> ${s.snapshot.duckdb}`,
    );
  }
  if (s.checks) lines.push(...formatChecks(s.checks));
  for (const p of s.partitions.filter((p) => p.status === "failed")) {
    lines.push(`FAILED partition ${p.partition}: ${p.error}`);
  }
  if (s.error) lines.push(`ERROR ${s.error}`);
  if (s.startup_seconds !== null) {
    lines.push(`start-up ${s.startup_seconds.toFixed(2)} s to the first stage`);
  }
  if (s.peak_rss_mib !== null) lines.push(`peak memory ${s.peak_rss_mib} MiB`);
  return lines.join("\n");
}
