/**
 * One run of the pipeline: extract every partition, carry the batch through
 * the stage runner (`@pipeline/runner/run_batch.ts`: validate, transform,
 * quality gate, load in one transaction, snapshot), and record the run (its
 * row in `etl_runs`, its stages and partitions).
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
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  peakRssMib,
  type RunSummary,
  type RunTrigger,
} from "@pipeline/summary.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import { noProgress, type Progress } from "@pipeline/ops/progress.ts";
import { readWatermarks } from "@pipeline/load/watermarks.ts";
import { sameWindows, sourceWindows } from "@pipeline/incremental/window.ts";
import { blockedError } from "@pipeline/quality/mod.ts";
import { hasLakeDebt } from "@pipeline/snapshot/debt.ts";
import {
  checkpoint,
  type Extraction,
  extractStage,
  foldBatch,
  Interrupted,
  newBatchReport,
  newRunSummary,
  runBatch,
  snapshotBatch,
} from "@pipeline/runner/mod.ts";

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
  /**
   * The extract stage, begun before the run (by the `run` command while
   * PGlite opens: `@pipeline/runner/extract_stage.ts`). Used when it read
   * the windows the watermarks give (none for a source read whole, or a
   * new database), else the run extracts again. Default: the run extracts
   * once its record is written.
   */
  extraction?: Promise<Extraction> | undefined;
  /**
   * Configured secrets (API keys, tokens: `secretsFromEnv`), replaced by
   * `***` in every extracted record before validation, so a provider that
   * echoes a key never gets it into the warehouse, quarantine or lake.
   */
  secrets?: readonly string[] | undefined;
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
  const summary = newRunSummary({
    runId,
    pipeline: options.pipeline ?? source.name,
    source: source.name,
    trigger: options.trigger ?? "manual",
    attempt: options.attempt,
    scheduledFor: options.scheduledFor,
    startedAt: wallClock.now(),
  });
  const { partitions } = summary;

  await migrateToLatest(client);
  await recordRunStart(client, summary);

  const batch = newBatchReport();
  try {
    // Where an incremental source starts, per entity, from the watermarks.
    const since = options.incremental && source.incremental
      ? sourceWindows(
        source,
        await readWatermarks(client, source.name),
        options.incremental,
      )
      : new Map<string, Date>();
    let extraction = deps.extraction ? await deps.extraction : null;
    if (extraction && !sameWindows(extraction.since, since)) {
      // Begun for other windows than the watermarks give: read again.
      log(
        "extract: begun before the watermarks were read, for other windows; extracting again",
      );
      extraction = null;
    }
    if (extraction) partitions.push(...extraction.partitions);
    extraction ??= await extractStage(source, {
      runId,
      since,
      signal,
      progress,
      log,
      into: partitions,
    });
    summary.startup_seconds = extraction.startupSeconds;
    summary.first_stage_at = extraction.startedAt;
    summary.stages.push(extraction.stage);
    let raw: pl.DataFrame | null = extraction.raw;
    // Not kept with the extraction: runBatch drops the frame once validated.
    extraction.raw = null;

    const batchDeps = {
      client,
      clock,
      wallClock,
      log,
      signal,
      progress,
      alerter: deps.alerter,
      secrets: deps.secrets,
      datasets: deps.datasets,
    };
    if (raw && raw.height > 0) {
      const dataset = (deps.datasets ?? DATASETS)[source.dataset];
      if (!dataset) {
        throw new EtlError(`no dataset named ${source.dataset}`, {
          stage: "config",
          runId,
        });
      }
      // Handed on alone: runBatch drops it once validated.
      const input = { raw };
      raw = null;
      await runBatch(input, {
        dataset,
        source: source.name,
        pipeline: summary.pipeline,
        runId,
        since,
        dataDir,
        snapshot,
        into: batch,
      }, batchDeps);
    }
    if (snapshot && !batch.snapshot && await hasLakeDebt(client)) {
      // Nothing new, but a killed or --no-snapshot run left lake debt.
      checkpoint(signal, {
        stage: "snapshot",
        what: "before the snapshot; the lake debt stays recorded",
        runId,
      });
      await snapshotBatch(
        { rows: 0 },
        { dataDir, runId, into: batch },
        batchDeps,
      );
    }
    foldBatch(summary, batch);
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
    foldBatch(summary, batch);
    summary.status = "failed";
    summary.error = errorMessage(err);
    summary.interrupted = err instanceof Interrupted;
    if (err instanceof EtlError) {
      summary.error_stage = err.stage;
      summary.error_partition = err.partition ?? null;
    }
  }
  if (!batch.committed && summary.counts.extracted > 0) {
    // The load did not commit: the counts claim nothing was loaded.
    summary.counts = {
      extracted: summary.counts.extracted,
      loaded: 0,
      quarantined: 0,
      duplicates: 0,
      not_loaded: summary.counts.extracted,
    };
  }
  summary.finished_at = wallClock.now().toISOString();
  summary.peak_rss_mib = peakRssMib();
  try {
    await recordRunEnd(client, summary);
  } catch (err) {
    // The database went away (a stopped server, a full disk): the run's
    // row stays `running` until the next run marks it abandoned, and the
    // caller still gets the summary, which says so.
    const lost = `cannot record the run in the database: ${errorMessage(err)}`;
    summary.status = "failed";
    summary.error = summary.error ? `${summary.error}; ${lost}` : lost;
    summary.error_stage ??= summary.stages.at(-1)?.stage ?? "load";
  }
  if (snapshot) {
    // Last, so analytics.duckdb shows this run as it ended. Loaded here
    // (DuckDB): a run without a snapshot never loads it.
    const { refreshCatalog } = await import("@pipeline/snapshot/refresh.ts");
    await refreshCatalog({ client, dataDir, clock: wallClock, signal })
      .catch((err) =>
        log(
          `snapshot: analytics.duckdb keeps its previous run history: ${
            errorMessage(err)
          }`,
        )
      );
  }
  return summary;
}
