/**
 * One run of the pipeline: extract every partition, validate, transform,
 * load in one transaction, snapshot, and record the run (its row in
 * `etl_runs`, its stages and partitions).
 *
 * Reports rather than throws: the caller gets a {@link RunSummary} whose
 * status and error say what happened; only a broken database connection
 * while recording the run escapes as an exception.
 *
 * Interruptible: when `deps.signal` aborts (SIGINT/SIGTERM), the run stops
 * at the next safe point (between partitions or stages), never inside the
 * load transaction, which commits or rolls back whole.
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import { type Dataset, DATASETS } from "@pipeline/datasets/mod.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { snapshotTables, WAREHOUSE_TABLES } from "@pipeline/snapshot/lake.ts";
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage, EtlError, type Stage } from "@pipeline/errors.ts";
import {
  type PartitionOutcome,
  peakRssMib,
  type RunSummary,
  type RunTrigger,
  type StageStat,
} from "@pipeline/summary.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import { noProgress, type Progress } from "@pipeline/ops/progress.ts";
import { readWatermarks } from "@pipeline/load/watermarks.ts";
import { transformWindow } from "@pipeline/datasets/transform_window.ts";
import { loadBatch } from "@pipeline/datasets/load_batch.ts";
import { incrementalSince } from "@pipeline/incremental/window.ts";
import { blockedError, qualityGate } from "@pipeline/quality/mod.ts";

/** What a run needs from outside. */
export interface RunDeps {
  client: SqlClient;
  /** "Now" for the data: validation, the synthetic window (`--as-of`). */
  clock: Clock;
  /**
   * When the run really started and finished, for the history. Default
   * `clock`; the CLI passes the machine's clock so that `--as-of` runs are
   * recorded at the time they ran.
   */
  wallClock?: Clock;
  /** Progress lines (stderr by default in the CLI). */
  log?: (line: string) => void;
  /** Makes run ids; tests may fix them. */
  newRunId?: () => string;
  /** Stops the run at the next safe point when it aborts (SIGINT/SIGTERM). */
  signal?: AbortSignal | undefined;
  /** Shows long stages on a terminal. Default: nothing shown. */
  progress?: Progress;
  /**
   * Where alerts go: a `check_failed` alert for each blocking data-quality
   * check that failed (`@pipeline/quality/gate.ts`).
   */
  alerter?: Alerter | undefined;
  /**
   * The datasets by name; a source's `dataset` picks one. Default
   * {@link DATASETS}; tests hand in datasets with other checks.
   */
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>>;
}

/** Options of {@link runPipeline}. */
export interface RunOptions {
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /** Export touched dates to Parquet and DuckDB (default true). */
  snapshot?: boolean;
  /** The pipeline name recorded with the run. Default the source's name. */
  pipeline?: string | undefined;
  /** What started the run. Default `manual`. */
  trigger?: RunTrigger | undefined;
  /** The attempt of a scheduled occurrence. Default 1. */
  attempt?: number | undefined;
  /** The scheduled occurrence the run serves. Default none. */
  scheduledFor?: Date | undefined;
  /**
   * Incremental loading: an incremental source is asked, per partition, only
   * for data from `floor_hour(watermark - lagMs)` on. Default off (the whole
   * configured window); the CLI turns it on.
   */
  incremental?: { lagMs: number } | false | undefined;
}

/** Thrown at a safe point after the run's signal aborted. */
class Interrupted extends EtlError {}

/** Runs the pipeline once over `source`. */
export async function runPipeline(
  source: Source,
  options: RunOptions,
  deps: RunDeps,
): Promise<RunSummary> {
  const { dataDir, snapshot = true } = options;
  const { client, clock, log = () => {}, signal, progress = noProgress } = deps;
  const runId = (deps.newRunId ?? (() => crypto.randomUUID()))();
  const wallClock = deps.wallClock ?? clock;
  const startedAt = wallClock.now();
  const stages: StageStat[] = [];
  const partitions: PartitionOutcome[] = [];
  const summary: RunSummary = {
    run_id: runId,
    pipeline: options.pipeline ?? source.name,
    source: source.name,
    trigger: options.trigger ?? "manual",
    attempt: options.attempt ?? 1,
    scheduled_for: options.scheduledFor?.toISOString() ?? null,
    status: "failed",
    started_at: startedAt.toISOString(),
    finished_at: startedAt.toISOString(),
    counts: { extracted: 0, loaded: 0, quarantined: 0, duplicates: 0 },
    stages,
    partitions,
    tables: [],
    snapshot: null,
    peak_rss_mib: null,
    error: null,
    error_stage: null,
    error_partition: null,
    checks: null,
    newest_ts: null,
    interrupted: false,
  };
  /** Throws {@link Interrupted} when the signal aborted; `next` names where. */
  const checkpoint = (stage: Stage, what: string) => {
    if (!signal?.aborted) return;
    const why = signal.reason instanceof Error
      ? signal.reason.message
      : String(signal.reason ?? "aborted");
    throw new Interrupted(`interrupted (${why}) ${what}`, { stage, runId });
  };
  const timed = async <T>(
    stage: Stage,
    rowsIn: number,
    fn: () => Promise<T> | T,
    rowsOut: (t: T) => number,
  ): Promise<T> => {
    const t0 = performance.now();
    const task = stage === "extract" ? null : progress.start(stage);
    try {
      const out = await fn();
      stages.push({
        stage,
        rows_in: rowsIn,
        rows_out: rowsOut(out),
        seconds: (performance.now() - t0) / 1000,
      });
      task?.done();
      log(`${stage}: ${rowsOut(out)} rows`);
      return out;
    } catch (err) {
      task?.done();
      throw err instanceof EtlError
        ? err
        : new EtlError(errorMessage(err), { stage, runId, cause: err });
    }
  };

  await migrateToLatest(client);
  await recordRunStart(client, summary);

  try {
    checkpoint("extract", "before the extract; nothing was loaded");
    const since = options.incremental && source.incremental
      ? incrementalSince(await readWatermarks(client, source.name), {
        lagMs: options.incremental.lagMs,
        entities: source.partitions().flatMap((p) =>
          p.entity ? [p.entity] : []
        ),
        start: source.start,
      })
      : new Map<string, Date>();
    const raw = await timed("extract", 0, async () => {
      const frames: pl.DataFrame[] = [];
      const all = source.partitions({ since });
      const task = progress.start("extract", all.length);
      for (const partition of all) {
        if (signal?.aborted) {
          task.done();
          checkpoint(
            "extract",
            `before partition ${partition.name}; nothing was loaded`,
          );
        }
        task.advance();
        try {
          const frame = await partition.extract(signal);
          frames.push(frame);
          partitions.push({
            partition: partition.name,
            status: "succeeded",
            rows: frame.height,
          });
        } catch (err) {
          partitions.push({
            partition: partition.name,
            status: "failed",
            rows: 0,
            error: errorMessage(err),
            transient: err instanceof EtlError ? err.transient : false,
          });
          log(
            `extract: partition ${partition.name} failed: ${errorMessage(err)}`,
          );
        }
      }
      task.done();
      return frames.length ? pl.concat(frames, { how: "vertical" }) : null;
    }, (f) => f?.height ?? 0);
    summary.counts.extracted = raw?.height ?? 0;

    if (raw && raw.height > 0) {
      const dataset = (deps.datasets ?? DATASETS)[source.dataset];
      if (!dataset) {
        throw new EtlError(`no dataset named ${source.dataset}`, {
          stage: "config",
          runId,
        });
      }
      const now = clock.now();
      checkpoint("validate", "before the validate; nothing was loaded");
      const validated = await timed(
        "validate",
        raw.height,
        () => dataset.validate(raw, { now }),
        (r) => r.valid.height,
      );
      summary.counts.quarantined = validated.quarantine.height;
      checkpoint("transform", "before the transform; nothing was loaded");
      const derived = await timed(
        "transform",
        validated.valid.height,
        () =>
          transformWindow(client, dataset, validated.valid, since, {
            now,
            quarantine: validated.quarantine,
          }),
        (r) => r.rows,
      );
      summary.counts.duplicates = derived.duplicates;
      summary.counts.loaded = derived.rows;
      checkpoint("quality", "before the quality checks; nothing was loaded");
      const { transformed, valid, quarantine, checks } = await timed(
        "quality",
        derived.rows,
        () =>
          qualityGate({
            dataset,
            valid: validated.valid,
            transformed: derived,
            quarantine: validated.quarantine,
            now,
            client,
            runId,
            pipeline: summary.pipeline,
            checkedAt: wallClock.now(),
            alerter: deps.alerter,
            log,
          }),
        (r) => r.transformed.rows,
      );
      summary.checks = checks;
      summary.counts.loaded = transformed.rows;
      summary.counts.quarantined = quarantine.height;
      summary.counts.duplicates = transformed.duplicates;
      checkpoint("load", "before the load; nothing was loaded");
      const loaded = await timed(
        "load",
        transformed.rows + quarantine.height,
        () =>
          loadBatch(client, {
            dataset,
            batch: transformed.batch,
            quarantine,
            loadId: runId,
            runId,
            source: source.name,
            now,
            wallClock,
            dataDir,
          }),
        (r) =>
          r.tables.reduce((n, t) => n + t.inserted + t.updated, 0) +
          r.quarantined,
      );
      summary.tables = loaded.tables;
      summary.newest_ts = newestTs(valid);
      // A recompute of derived columns may rewrite rows after the batch's
      // own dates (a moving average reaching into the next session).
      const dates = [
        ...new Set([
          ...transformed.dates,
          ...loaded.tables.flatMap((t) => t.dates ?? []),
        ]),
      ].sort();
      if (snapshot) {
        checkpoint(
          "snapshot",
          "after the load committed; the snapshot was skipped",
        );
        const snap = await timed(
          "snapshot",
          transformed.rows,
          async () => {
            const facts = await snapshotTables({
              client,
              dataDir,
              dates,
              tables: dataset.tables,
              clock,
            });
            const kept = await snapshotTables({
              client,
              dataDir,
              dates: [now.toISOString().slice(0, 10)],
              tables: WAREHOUSE_TABLES.filter((t) => t.name === "quarantine"),
              clock,
            });
            return { ...facts, tables: [...facts.tables, ...kept.tables] };
          },
          (r) => r.tables.reduce((n, t) => n + t.rows, 0),
        );
        summary.snapshot = {
          duckdb: snap.duckdbPath,
          files: snap.tables.reduce((n, t) => n + t.files.length, 0),
          dates,
        };
      }
    }
    const failed = partitions.filter((p) => p.status === "failed");
    summary.status = failed.length === 0 ? "succeeded" : "failed";
    if (failed.length > 0) {
      summary.error =
        `${failed.length} of ${partitions.length} partitions failed: ${
          failed.map((p) => p.partition).join(", ")
        }`;
      summary.error_stage = "extract";
      summary.error_partition = failed.map((p) => p.partition).join(", ");
    }
    if (summary.checks && summary.checks.blocked.length > 0) {
      summary.status = "failed";
      summary.error = [summary.error, blockedError(summary.checks)]
        .filter(Boolean).join("; ");
      summary.error_stage ??= "quality";
      summary.error_partition = [
        summary.error_partition,
        ...summary.checks.blocked,
      ].filter(Boolean).join(", ");
    }
  } catch (err) {
    summary.status = "failed";
    summary.error = errorMessage(err);
    summary.interrupted = err instanceof Interrupted;
    if (err instanceof EtlError) {
      summary.error_stage = err.stage;
      summary.error_partition = err.partition ?? null;
    }
  }
  summary.finished_at = wallClock.now().toISOString();
  summary.peak_rss_mib = peakRssMib();
  await recordRunEnd(client, summary);
  return summary;
}

/**
 * The newest `ts` of a valid frame as ISO-8601 (every dataset's valid frame
 * has a UTC `ts` column), or null when it has none.
 */
function newestTs(valid: pl.DataFrame): string | null {
  if (valid.height === 0 || !valid.columns.includes("ts")) return null;
  const [ms] = valid.select(pl.col("ts").max().cast(pl.Int64).alias("m"))
    .getColumn("m").toArray();
  return ms === null || ms === undefined
    ? null
    : new Date(Number(ms)).toISOString();
}
