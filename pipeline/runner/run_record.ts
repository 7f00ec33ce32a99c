/**
 * The record of a run (its {@link RunSummary}, stored in `etl_runs`) built
 * from the batches the stage runner carried: one for `run`, one per chunk
 * for `backfill`.
 * @module
 */
import type { RunSummary, RunTrigger, StageStat } from "@pipeline/summary.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { mergeChecks } from "@pipeline/quality/check_summary.ts";
import type { BatchReport } from "@pipeline/runner/run_batch.ts";

/** What a run is before it starts. */
export interface RunStart {
  runId: string;
  pipeline: string;
  source: string;
  trigger: RunTrigger;
  /** Default 1. */
  attempt?: number | undefined;
  scheduledFor?: Date | undefined;
  /** The wall clock at the start. */
  startedAt: Date;
}

/** A run summary with nothing done yet (status `failed` until settled). */
export function newRunSummary(start: RunStart): RunSummary {
  const at = start.startedAt.toISOString();
  return {
    run_id: start.runId,
    pipeline: start.pipeline,
    source: start.source,
    trigger: start.trigger,
    attempt: start.attempt ?? 1,
    scheduled_for: start.scheduledFor?.toISOString() ?? null,
    status: "failed",
    started_at: at,
    finished_at: at,
    counts: { extracted: 0, loaded: 0, quarantined: 0, duplicates: 0 },
    stages: [],
    partitions: [],
    tables: [],
    snapshot: null,
    peak_rss_mib: null,
    startup_seconds: null,
    first_stage_at: null,
    error: null,
    error_stage: null,
    error_partition: null,
    checks: null,
    newest_ts: null,
    interrupted: false,
  };
}

/**
 * Adds a batch to the run: counts and table figures summed, each stage's
 * figures added to the run's stage of that name (appended the first time),
 * checks merged, the newest timestamp kept.
 */
export function foldBatch(summary: RunSummary, batch: BatchReport): void {
  for (const stat of batch.stages) addStage(summary.stages, stat);
  const c = summary.counts;
  c.extracted += batch.counts.extracted;
  c.loaded += batch.counts.loaded;
  c.quarantined += batch.counts.quarantined;
  c.duplicates += batch.counts.duplicates;
  summary.tables = addTables(summary.tables, batch.tables);
  if (batch.checks) summary.checks = mergeChecks(summary.checks, batch.checks);
  if (
    batch.newestTs &&
    (!summary.newest_ts || batch.newestTs > summary.newest_ts)
  ) {
    summary.newest_ts = batch.newestTs;
  }
  if (batch.snapshot) {
    const before = summary.snapshot;
    summary.snapshot = {
      duckdb: batch.snapshot.duckdb,
      files: (before?.files ?? 0) + batch.snapshot.files,
      dates: [...new Set([...(before?.dates ?? []), ...batch.snapshot.dates])]
        .sort(),
    };
  }
}

/**
 * Adds a stage's figures to the stage of that name in `stages` (appended
 * the first time): a run of many batches shows each stage once.
 */
export function addStage(stages: StageStat[], stat: StageStat): void {
  const same = stages.find((s) => s.stage === stat.stage);
  if (!same) {
    stages.push({ ...stat });
    return;
  }
  same.rows_in += stat.rows_in;
  same.rows_out += stat.rows_out;
  same.seconds += stat.seconds;
}

/** Per-table figures summed by table, in first-seen order. */
function addTables(
  a: readonly UpsertResult[],
  b: readonly UpsertResult[],
): UpsertResult[] {
  const out = a.map((t) => ({ ...t }));
  for (const t of b) {
    const same = out.find((o) => o.table === t.table);
    if (!same) {
      out.push({ ...t });
      continue;
    }
    same.rows += t.rows;
    same.inserted += t.inserted;
    same.updated += t.updated;
    same.unchanged += t.unchanged;
  }
  return out;
}
