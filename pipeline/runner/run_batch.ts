/**
 * The stage runner: one batch of one dataset through validate → transform
 * (with the warehouse context of its incremental windows) → quality gate →
 * load (one transaction, with the caller's extra work) → snapshot.
 *
 * Every command that loads data goes through it: `run` calls it once per
 * run (`@pipeline/run.ts`), `backfill` once per chunk, a partition's day
 * (`@pipeline/incremental/backfill.ts`), `--from-raw` replays through
 * either, and a stream consumer would call it once per micro-batch, storing
 * its sequence with `within` in the batch's load transaction.
 *
 * Throws an `EtlError` naming the stage that failed ({@link Interrupted} at
 * a safe point when the signal aborts); the report given as `into` is
 * filled as stages finish, so a caller whose batch failed keeps the figures
 * of the stages that ran.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import type { Progress } from "@pipeline/ops/progress.ts";
import type { RunCounts, StageStat } from "@pipeline/summary.ts";
import { transformWindow } from "@pipeline/datasets/transform_window.ts";
import { loadBatch } from "@pipeline/datasets/load_batch.ts";
import { type CheckSummary, qualityGate } from "@pipeline/quality/mod.ts";
import { checkpoint } from "@pipeline/runner/interrupted.ts";
import { stageTimer } from "@pipeline/runner/stage_timer.ts";
import { redactFrame } from "@pipeline/ops/secrets.ts";
import { collectFinalized } from "@pipeline/ops/collect_garbage.ts";
import type { LakeFrames } from "@pipeline/snapshot/lake_frames.ts";

/**
 * Batches of at least this many records loaded into PGlite have their
 * garbage collected between the quality gate and the load: the embedded
 * database grows in this process during the load. On a million bars the
 * collection took 35 to 67 ms and the load began at 835 to 845 MiB instead
 * of 977 to 997 (peak 1,018 to 1,078 MiB with `MALLOC_ARENA_MAX=2`, 1,370
 * to 1,437 before the frames were let go); a small batch's frames are not
 * worth one (97 ms in the default run). A server's load grows the server,
 * not this process, so its batches skip it.
 */
const COLLECT_BEFORE_LOAD = 250_000;

/** A dataset's validation of a raw frame. */
export interface Validated {
  /** Valid rows (the dataset's valid frame). */
  valid: pl.DataFrame;
  /** Rejected records (the quarantine frame). */
  quarantine: pl.DataFrame;
}

/**
 * One batch: the raw frame a source delivered, or a slice of the
 * validation of a larger raw frame (a backfill validates a partition's
 * range once and runs each day of it as a batch).
 *
 * {@link runBatch} takes the frame out of this object (`raw` or
 * `validated` is deleted) before it transforms: a caller that keeps no
 * other reference to it lets the frame go before the load.
 */
export type BatchInput = { raw: pl.DataFrame } | { validated: Validated };

/** What the quality gate decided, for the caller's work in the load. */
export interface GateOutcome {
  checks: CheckSummary;
  /** Rows handed to the load. */
  rows: number;
  /** Records the load quarantines (validation's and blocked partitions'). */
  quarantined: number;
}

/** Options of {@link runBatch}. */
export interface BatchOptions {
  // deno-lint-ignore no-explicit-any
  dataset: Dataset<any>;
  /** The source name (watermarks, quarantine). */
  source: string;
  /** The pipeline, named in alerts. */
  pipeline: string;
  /** The run the batch belongs to (`etl_checks`, errors). */
  runId: string;
  /** The load's id, stored on every row written. Default `runId`. */
  loadId?: string | undefined;
  /**
   * Incremental windows: per entity, where the batch starts; the transform
   * reads the warehouse rows before it as context. Default none.
   */
  since?: ReadonlyMap<string, Date> | undefined;
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /**
   * Write the touched dates to the lake after the load. Default true; a
   * caller running many batches may write their dates once with
   * `snapshotStage` after the last.
   */
  snapshot?: boolean | undefined;
  /**
   * More work inside the load's transaction, told what the gate decided:
   * a backfill chunk's state row, a stream consumer's sequence.
   */
  within?: ((tx: SqlClient, gate: GateOutcome) => Promise<void>) | undefined;
  /** Filled as stages finish. Default a new {@link newBatchReport}. */
  into?: BatchReport | undefined;
}

/** What {@link runBatch} needs from outside. */
export interface BatchDeps {
  client: SqlClient;
  /** "Now" for the data: validation, freshness, the quarantine's time. */
  clock: Clock;
  /** Real time, for `etl_loads` and `etl_checks`. Default `clock`. */
  wallClock?: Clock | undefined;
  /** Gets one line per finished stage. Default nothing. */
  log?: ((line: string) => void) | undefined;
  /** Stops the batch before its next stage (never inside the load). */
  signal?: AbortSignal | undefined;
  /** Shows long stages on a terminal. Default nothing. */
  progress?: Progress | undefined;
  /** Gets a `check_failed` alert per failing blocking check. */
  alerter?: Alerter | undefined;
  /** Configured secrets, redacted from raw records before validation. */
  secrets?: readonly string[] | undefined;
  /**
   * The datasets whose tables the lake holds, for the snapshot (paying
   * the lake's debt). Default every registered one.
   */
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>> | undefined;
}

/** What a batch did. */
export interface BatchReport {
  /** validate, transform, quality, load and snapshot, as they finished. */
  stages: StageStat[];
  counts: RunCounts;
  /** Per table: inserted, updated, unchanged. */
  tables: UpsertResult[];
  /** The data-quality checks, once the gate ran. */
  checks: CheckSummary | null;
  /** The UTC dates (`YYYY-MM-DD`) the load wrote. */
  dates: string[];
  /** The newest timestamp loaded (ISO-8601), once the load committed. */
  newestTs: string | null;
  /** Whether the load committed (until then nothing was loaded). */
  committed: boolean;
  /** What the snapshot wrote, when it ran. */
  snapshot: { duckdb: string; files: number; dates: string[] } | null;
}

/** An empty {@link BatchReport}. */
export function newBatchReport(): BatchReport {
  return {
    stages: [],
    counts: { extracted: 0, loaded: 0, quarantined: 0, duplicates: 0 },
    tables: [],
    checks: null,
    dates: [],
    newestTs: null,
    committed: false,
    snapshot: null,
  };
}

/**
 * The validate stage: `dataset.validate(raw)` at the data's "now", after
 * every configured secret in the raw records is replaced by `***` (a
 * provider that echoes a key never gets it into the warehouse, quarantine
 * or lake).
 */
export function validateBatch(
  // deno-lint-ignore no-explicit-any
  dataset: Dataset<any>,
  raw: pl.DataFrame,
  now: Date,
  secrets: readonly string[] = [],
): Validated {
  return dataset.validate(redactFrame(raw, secrets), { now });
}

/** Runs one batch through every stage; see the module doc. */
export async function runBatch(
  input: BatchInput,
  options: BatchOptions,
  deps: BatchDeps,
): Promise<BatchReport> {
  const { dataset, runId, dataDir, snapshot = true } = options;
  const { client, clock, signal, log = () => {} } = deps;
  const wallClock = deps.wallClock ?? clock;
  const since = options.since ?? new Map<string, Date>();
  const report = options.into ?? newBatchReport();
  const timed = stageTimer({
    onStage: (stat) => report.stages.push(stat),
    runId,
    progress: deps.progress,
    log,
  });
  const stop = (
    stage: Parameters<typeof checkpoint>[1]["stage"],
    what: string,
  ) => checkpoint(signal, { stage, what, runId });
  const now = clock.now();

  // Validate, transform and gate in a scope of their own: the raw, valid
  // and transformed-before-the-gate frames are garbage once it returns,
  // and are collected before the load (a million raw bars are hundreds of
  // MiB, which a load into PGlite would otherwise find still taken).
  const gate = async () => {
    let validated: Validated;
    if ("raw" in input) {
      const raw = input.raw;
      delete (input as Partial<typeof input>).raw;
      report.counts.extracted = raw.height;
      stop("validate", "before the validate; nothing was loaded");
      validated = await timed(
        "validate",
        raw.height,
        () => validateBatch(dataset, raw, now, deps.secrets),
        (r) => r.valid.height,
      );
    } else {
      validated = input.validated;
      delete (input as Partial<typeof input>).validated;
      report.counts.extracted = validated.valid.height +
        validated.quarantine.height;
    }
    report.counts.quarantined = validated.quarantine.height;

    stop("transform", "before the transform; nothing was loaded");
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
    report.counts.duplicates = derived.duplicates;
    report.counts.loaded = derived.rows;

    stop("quality", "before the quality checks; nothing was loaded");
    const gated = await timed(
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
          pipeline: options.pipeline,
          checkedAt: wallClock.now(),
          alerter: deps.alerter,
          log,
        }),
      (r) => r.transformed.rows,
    );
    return {
      transformed: gated.transformed,
      quarantine: gated.quarantine,
      checks: gated.checks,
      newest: newestTs(gated.valid),
    };
  };
  const { transformed, quarantine, checks, newest } = await gate();
  if (
    client.kind === "pglite" && report.counts.extracted >= COLLECT_BEFORE_LOAD
  ) {
    await collectFinalized(); // polars frees a frame in its finalizer
  }
  report.checks = checks;
  report.counts.loaded = transformed.rows;
  report.counts.quarantined = quarantine.height;
  report.counts.duplicates = transformed.duplicates;

  stop("load", "before the load; nothing was loaded");
  const outcome: GateOutcome = {
    checks,
    rows: transformed.rows,
    quarantined: quarantine.height,
  };
  const within = options.within;
  const loaded = await timed(
    "load",
    transformed.rows + quarantine.height,
    (onRows) =>
      loadBatch(client, {
        dataset,
        batch: transformed.batch,
        quarantine,
        loadId: options.loadId ?? runId,
        runId,
        source: options.source,
        now,
        wallClock,
        dataDir,
        dates: transformed.dates,
        lakeFrames: snapshot,
        onRows,
        ...(within ? { within: (tx: SqlClient) => within(tx, outcome) } : {}),
      }),
    (r) =>
      r.tables.reduce((n, t) => n + t.inserted + t.updated, 0) +
      r.quarantined,
  );
  report.committed = true;
  report.tables = loaded.tables;
  report.dates = transformed.dates;
  report.newestTs = newest;

  if (snapshot) {
    stop("snapshot", "after the load committed; the lake debt stays recorded");
    await snapshotBatch({ rows: transformed.rows }, {
      ...options,
      into: report,
      frames: loaded.lakeFrames,
    }, deps);
  }
  return report;
}

/**
 * The snapshot stage on its own, timed into `options.into`: pays the lake's
 * debt (every partition owed: the batches' and any a killed run left), for
 * a caller that ran its batches with `snapshot: false` and writes the lake
 * once after the last (a backfill), or that loaded nothing new.
 */
export async function snapshotBatch(
  written: { rows: number },
  options: Pick<BatchOptions, "dataDir" | "runId" | "into"> & {
    /**
     * The load's frames of partitions they fill alone, written without
     * reading the warehouse back. Default none.
     */
    frames?: LakeFrames | null | undefined;
  },
  deps: BatchDeps,
): Promise<BatchReport> {
  const report = options.into ?? newBatchReport();
  const timed = stageTimer({
    onStage: (stat) => report.stages.push(stat),
    runId: options.runId,
    progress: deps.progress,
    log: deps.log,
  });
  const snap = await timed(
    "snapshot",
    written.rows,
    async (onRows, onTotal) => {
      // Loaded by the stage that uses it (DuckDB), so that a run's start-up
      // does not pay for it, and a run without a snapshot never does.
      const { snapshotStage } = await import(
        "@pipeline/runner/snapshot_stage.ts"
      );
      return await snapshotStage({
        client: deps.client,
        dataDir: options.dataDir,
        datasets: deps.datasets,
        clock: deps.clock,
        signal: deps.signal,
        frames: options.frames ?? null,
        onRows,
        onTotal,
      });
    },
    (r) => r.rows,
    // It rewrites whole partitions of every table, more rows than loaded:
    // its total is counted before it writes (`onTotal`).
    { total: false },
  );
  if (snap.duckdb) {
    report.snapshot = {
      duckdb: snap.duckdb,
      files: snap.files,
      dates: snap.dates,
    };
  }
  return report;
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
