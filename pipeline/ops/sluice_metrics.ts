/**
 * The series the scheduler exposes on `GET /metrics`: runs by status, rows
 * and seconds by stage, last success and newest data per source, quarantine
 * counts, occurrences, retries and alerts. Held in memory and updated at
 * safe points (after each run), so a scrape never touches the database.
 * @module
 */
import { createMetrics, type MetricsRegistry } from "@pipeline/ops/metrics.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import type { QuarantineCount, SourceFreshness } from "@pipeline/ops/status.ts";

/** The outcome of one run attempt, as counted. */
export type RunMetricStatus =
  | "succeeded"
  | "failed"
  | "interrupted"
  | "locked"
  | "usage";

/** The scheduler's metrics. */
export interface SluiceMetrics {
  readonly registry: MetricsRegistry;
  /** Counts a run attempt and, when it has a summary, its stages. */
  recordRun(
    pipeline: string,
    status: RunMetricStatus,
    summary: RunSummary | null,
  ): void;
  /** Marks a run of `pipeline` as in progress (1) or not (0). */
  setRunning(pipeline: string, running: boolean): void;
  /** Counts a scheduled occurrence by its final status. */
  recordOccurrence(pipeline: string, job: string, status: string): void;
  /** Counts a retry of a failed run. */
  recordRetry(pipeline: string): void;
  /** Counts an alert by kind and delivery. */
  recordAlert(kind: string, delivered: boolean): void;
  /** Replaces the per-source freshness gauges. */
  setFreshness(sources: readonly SourceFreshness[]): void;
  /** Replaces the quarantine gauges. */
  setQuarantine(counts: readonly QuarantineCount[]): void;
  /** Text format of every series. */
  render(): string;
}

const seconds = (iso: string | null) =>
  iso === null ? null : new Date(iso).getTime() / 1000;

/** Fresh metrics; `startedAt` is exposed as the process start time. */
export function sluiceMetrics(startedAt: Date): SluiceMetrics {
  const registry = createMetrics();
  const start = registry.gauge(
    "sluice_scheduler_start_time_seconds",
    "Unix time the scheduler started.",
  );
  start.set({}, startedAt.getTime() / 1000);
  const runs = registry.counter(
    "sluice_runs_total",
    "Run attempts by pipeline and outcome.",
  );
  const running = registry.gauge(
    "sluice_run_in_progress",
    "1 while a run of the pipeline is in progress.",
  );
  const rows = registry.counter(
    "sluice_stage_rows_total",
    "Rows out of each stage, summed over runs.",
  );
  const stageSeconds = registry.summary(
    "sluice_stage_duration_seconds",
    "Seconds spent in each stage.",
  );
  const runSeconds = registry.summary(
    "sluice_run_duration_seconds",
    "Seconds per run attempt, by outcome.",
  );
  const occurrences = registry.counter(
    "sluice_schedule_occurrences_total",
    "Scheduled occurrences by job and final status.",
  );
  const retries = registry.counter(
    "sluice_run_retries_total",
    "Retries of failed scheduled runs.",
  );
  const alerts = registry.counter(
    "sluice_alerts_total",
    "Alerts sent, by kind and whether the webhook accepted them.",
  );
  const lastSuccess = registry.gauge(
    "sluice_last_success_timestamp_seconds",
    "Unix time the last successful run of the source finished.",
  );
  const newest = registry.gauge(
    "sluice_newest_data_timestamp_seconds",
    "Newest loaded timestamp of the source, Unix time.",
  );
  const quarantine = registry.gauge(
    "sluice_quarantine_rows",
    "Records kept in quarantine, by dataset and source.",
  );
  return {
    registry,
    recordRun(pipeline, status, summary) {
      runs.inc({ pipeline, status });
      if (!summary) return;
      for (const s of summary.stages) {
        rows.inc({ pipeline, stage: s.stage }, s.rows_out);
        stageSeconds.observe({ pipeline, stage: s.stage }, s.seconds);
      }
      const ms = new Date(summary.finished_at).getTime() -
        new Date(summary.started_at).getTime();
      runSeconds.observe({ pipeline, status }, Math.max(0, ms) / 1000);
    },
    setRunning(pipeline, on) {
      running.set({ pipeline }, on ? 1 : 0);
    },
    recordOccurrence(pipeline, job, status) {
      occurrences.inc({ pipeline, job, status });
    },
    recordRetry(pipeline) {
      retries.inc({ pipeline });
    },
    recordAlert(kind, delivered) {
      alerts.inc({ kind, delivered: String(delivered) });
    },
    setFreshness(sources) {
      lastSuccess.reset();
      newest.reset();
      for (const s of sources) {
        const ok = seconds(s.last_success_at);
        if (ok !== null) lastSuccess.set({ source: s.source }, ok);
        const n = seconds(s.newest_ts);
        if (n !== null) newest.set({ source: s.source }, n);
      }
    },
    setQuarantine(counts) {
      quarantine.reset();
      for (const q of counts) {
        quarantine.set({ dataset: q.dataset, source: q.source }, q.rows);
      }
    },
    render: () => registry.render(),
  };
}
