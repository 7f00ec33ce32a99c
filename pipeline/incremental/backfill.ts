/**
 * Backfill: a date range processed in chunks of one day of one partition
 * (a symbol or location). A backfill is a set of partitioned runs of the
 * stage runner (`@pipeline/runner/run_batch.ts`): each chunk goes through
 * the same transform, quality gate and load as a run, its row in
 * `etl_backfill_chunks` committing in the chunk's load transaction, so an
 * interrupted backfill resumes without redoing finished chunks and a failed
 * chunk can be retried alone. A chunk a blocking quality check stops is
 * recorded failed with the check's message; its records go to the
 * quarantine, as in a run. The dates the chunks wrote go to the lake with
 * the runner's snapshot stage once, after the last chunk, rather than once
 * per chunk: the lake's partitions are dates of every partition, so a
 * snapshot per chunk would write each date once per symbol.
 *
 * Per partition the source is read once for the days still to do, validated
 * once, then split by UTC day; the chunks of a partition run in date order,
 * so each day's derived columns (returns, moving averages) take their
 * lookback from the day before, already in the warehouse. Watermarks only
 * move forward, so a backfill of old days never moves them back.
 *
 * The backfill is recorded as a run (`etl_runs`, trigger `backfill`) whose
 * stages, counts and checks add up its chunks.
 *
 * Memory follows one partition's range, not the whole backfill.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage, EtlError, type Stage } from "@pipeline/errors.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import { peakRssMib, type RunSummary } from "@pipeline/summary.ts";
import { blockedError } from "@pipeline/quality/check_summary.ts";
import {
  addStage,
  foldBatch,
  newRunSummary,
  runBatch,
  snapshotBatch,
  stageTimer,
  validateBatch,
} from "@pipeline/runner/mod.ts";
import type { Progress } from "@pipeline/ops/progress.ts";
import { hasLakeDebt } from "@pipeline/snapshot/debt.ts";

const DAY_MS = 86_400_000;

/** Which chunks a backfill processes. */
export const REPROCESS = ["missing", "failed", "all"] as const;

/**
 * `missing`: every chunk without a successful load (never run, failed, or
 * left running by a crash); `failed`: only chunks recorded failed or left
 * running; `all`: every chunk again.
 */
export type Reprocess = typeof REPROCESS[number];

/** A source read one partition and window at a time. */
export interface EntitySource {
  /** The source name (watermarks, quarantine, chunk state). */
  readonly name: string;
  /** The name of the dataset whose raw frame `extract` produces. */
  readonly dataset: string;
  /** The partitions to backfill (symbols, locations). */
  readonly entities: readonly string[];
  /** The raw frame of `entity` for `[start, end)` (may hold more). */
  extract(
    entity: string,
    window: { start: Date; end: Date },
    signal?: AbortSignal,
  ): Promise<pl.DataFrame>;
}

/** One chunk: a partition's UTC day. */
export interface Chunk {
  partition: string;
  /** `YYYY-MM-DD`. */
  day: string;
  /** Its state before this backfill: `none` when never run. */
  status: "none" | "running" | "succeeded" | "failed";
}

/** Options of {@link backfill}. */
export interface BackfillOptions {
  /** First day, included (`YYYY-MM-DD`). */
  from: string;
  /** Last day, excluded (`YYYY-MM-DD`): the range is `[from, to)`. */
  to: string;
  /** Default `missing`. */
  reprocess?: Reprocess;
  /** Only plan: report the chunks, write nothing. Default false. */
  dryRun?: boolean;
  /**
   * The run these loads belong to (`etl_runs`, `etl_loads.run_id`,
   * `etl_checks`, chunk rows); recorded with trigger `backfill` unless a
   * dry run.
   */
  runId: string;
  /** The pipeline recorded with the run. Default the source's name. */
  pipeline?: string | undefined;
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /** Write the dates the chunks loaded to the lake. Default true. */
  snapshot?: boolean | undefined;
}

/** What {@link backfill} needs from outside. */
export interface BackfillDeps {
  client: SqlClient;
  source: EntitySource;
  dataset: Dataset<unknown>;
  /** The data's "now" (validation). */
  clock: Clock;
  /** Real time, for the state rows. Default `clock`. */
  wallClock?: Clock;
  /**
   * Log lines; without a live {@link BackfillDeps.progress}, one per chunk
   * (done/total, rows, ETA).
   */
  log?: (line: string) => void;
  /**
   * Shows the backfill as ONE bar over its chunks (rows, rate, ETA), in
   * place of the line per chunk. Default nothing.
   */
  progress?: Progress | undefined;
  /** Stops at the next chunk boundary when it aborts. */
  signal?: AbortSignal | undefined;
  /** Makes load ids. */
  newLoadId?: () => string;
  /** Gets a `check_failed` alert per failing blocking check. */
  alerter?: Alerter | undefined;
  /** Configured secrets, redacted from raw records before validation. */
  secrets?: readonly string[] | undefined;
}

/** What a backfill did. */
export interface BackfillReport {
  from: string;
  to: string;
  reprocess: Reprocess;
  dryRun: boolean;
  /** Chunks in the range. */
  total: number;
  /** Chunks this backfill was to process. */
  planned: number;
  /** Chunks it skipped as already done (by the reprocess policy). */
  skipped: number;
  succeeded: number;
  failed: number;
  /** Planned chunks not reached (interrupted, or an earlier day failed). */
  pending: number;
  /** Records extracted inside the planned chunks. */
  extracted: number;
  loaded: number;
  quarantined: number;
  duplicates: number;
  /**
   * Records the source returned that no processed chunk took (days outside
   * the range or already done, or chunks not reached): not loaded.
   */
  outside: number;
  /** UTC dates written, for the snapshot. */
  dates: string[];
  interrupted: boolean;
  /** Failed chunks: the stage that failed and why. */
  failures: { partition: string; day: string; stage: Stage; error: string }[];
  /** The planned chunks (dry run: all of them; else the first 50). */
  chunks: Chunk[];
}

/** Validates a `YYYY-MM-DD` day; returns its UTC midnight in ms. */
export function parseDay(day: string, flag: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new EtlError(`${flag}: expected a YYYY-MM-DD date, got "${day}"`, {
      stage: "config",
    });
  }
  return ms;
}

/** The days of `[from, to)`. */
export function daysOf(from: string, to: string): string[] {
  const a = parseDay(from, "--from"), b = parseDay(to, "--to");
  if (b <= a) {
    throw new EtlError(
      `--to ${to} must be after --from ${from} (the range is [from, to))`,
      { stage: "config" },
    );
  }
  const days: string[] = [];
  for (let ms = a; ms < b; ms += DAY_MS) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

/** Whether a chunk in `status` is processed under `policy`. */
function wanted(status: Chunk["status"], policy: Reprocess): boolean {
  if (policy === "all") return true;
  if (policy === "failed") return status === "failed" || status === "running";
  return status !== "succeeded";
}

/** The chunks of the range with their recorded state. */
export async function planChunks(
  client: SqlClient,
  options: {
    source: string;
    entities: readonly string[];
    from: string;
    to: string;
  },
): Promise<Chunk[]> {
  const days = daysOf(options.from, options.to);
  const { rows } = await client.query<
    { partition: string; day: string; status: Chunk["status"] }
  >(
    `SELECT partition, to_char(day, 'YYYY-MM-DD') AS day, status
     FROM etl_backfill_chunks
     WHERE source = $1 AND day >= $2::date AND day < $3::date`,
    [options.source, options.from, options.to],
  );
  const known = new Map(rows.map((r) => [`${r.partition} ${r.day}`, r.status]));
  return options.entities.flatMap((partition) =>
    days.map((day) => ({
      partition,
      day,
      status: known.get(`${partition} ${day}`) ?? "none",
    }))
  );
}

/** Records a chunk's state outside or inside a transaction. */
async function recordChunk(
  client: SqlClient,
  chunk: {
    source: string;
    dataset: string;
    partition: string;
    day: string;
    status: "running" | "succeeded" | "failed";
    rows?: number;
    loadId?: string | null;
    runId: string;
    error?: string | null;
    now: Date;
  },
): Promise<void> {
  await client.query(
    `INSERT INTO etl_backfill_chunks AS c (source, partition, day, dataset,
       status, rows, attempts, load_id, run_id, error, updated_at)
     VALUES ($1, $2, $3::date, $4, $5, $6, 1, $7, $8, $9, $10)
     ON CONFLICT (source, partition, day) DO UPDATE SET
       status = excluded.status, rows = excluded.rows,
       attempts = c.attempts + (excluded.status = 'running')::int,
       load_id = excluded.load_id, run_id = excluded.run_id,
       error = excluded.error, updated_at = excluded.updated_at`,
    [
      chunk.source,
      chunk.partition,
      chunk.day,
      chunk.dataset,
      chunk.status,
      chunk.rows ?? 0,
      chunk.loadId ?? null,
      chunk.runId,
      chunk.error ?? null,
      chunk.now.toISOString(),
    ],
  );
}

/** The UTC day (`YYYY-MM-DD`) of a quarantined record's ts text, if any. */
function dayOfText(ts: unknown): string | null {
  if (typeof ts !== "string") return null;
  const ms = /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : null;
}

/** "1m05s" */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60
    ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
    : `${s}s`;
}

/**
 * Runs (or with `dryRun` plans) a backfill of `[from, to)`. Reports rather
 * than throws for chunk failures: a failed chunk is recorded `failed` with
 * its error, the partition's later days wait for a rerun (their lookback
 * would be missing), other partitions go on. Only a broken database
 * connection escapes as an exception (the run is then recorded failed).
 */
export async function backfill(
  options: BackfillOptions,
  deps: BackfillDeps,
): Promise<BackfillReport> {
  const { from, to, reprocess = "missing", dryRun = false, runId } = options;
  const { client, source, clock } = deps;
  const wallClock = deps.wallClock ?? clock;
  const chunks = await planChunks(client, {
    source: source.name,
    entities: source.entities,
    from,
    to,
  });
  const planned = chunks.filter((c) => wanted(c.status, reprocess));
  const report: BackfillReport = {
    from,
    to,
    reprocess,
    dryRun,
    total: chunks.length,
    planned: planned.length,
    skipped: chunks.length - planned.length,
    succeeded: 0,
    failed: 0,
    pending: planned.length,
    extracted: 0,
    loaded: 0,
    quarantined: 0,
    duplicates: 0,
    outside: 0,
    dates: [],
    interrupted: false,
    failures: [],
    chunks: dryRun ? planned : planned.slice(0, 50),
  };
  if (dryRun) return report;

  const summary = newRunSummary({
    runId,
    pipeline: options.pipeline ?? source.name,
    source: source.name,
    trigger: "backfill",
    startedAt: wallClock.now(),
  });
  await recordRunStart(client, summary);
  try {
    await runChunks(planned, report, summary, options, deps);
    if (options.snapshot !== false && await hasLakeDebt(client)) {
      // One payment of the lake's debt after the last chunk: the
      // partitions the chunks dirtied, and any a killed run left.
      foldBatch(
        summary,
        await snapshotBatch(
          { rows: report.loaded },
          { dataDir: options.dataDir, runId },
          { client, clock, signal: deps.signal, progress: deps.progress },
        ),
      );
    }
    summary.interrupted = report.interrupted;
    summary.status = report.failed === 0 && !report.interrupted
      ? "succeeded"
      : "failed";
    const first = report.failures[0];
    if (first) {
      summary.error = `${report.failed} of ${report.planned} chunks failed: ${
        report.failures.slice(0, 5).map((f) =>
          `${f.partition} ${f.day}: ${f.error}`
        ).join("; ")
      }`;
      summary.error_stage = first.stage;
      summary.error_partition = [
        ...new Set(report.failures.map((f) => f.partition)),
      ].join(", ");
    } else if (report.interrupted) {
      summary.error = `interrupted with ${report.pending} chunks to go`;
    }
  } catch (err) {
    summary.status = "failed";
    summary.error = errorMessage(err);
    if (err instanceof EtlError) {
      summary.error_stage = err.stage;
      summary.error_partition = err.partition ?? null;
    }
    throw err;
  } finally {
    summary.finished_at = wallClock.now().toISOString();
    summary.peak_rss_mib = peakRssMib();
    await recordRunEnd(client, summary);
  }
  if (options.snapshot !== false) {
    // Last, so analytics.duckdb shows this backfill as it ended.
    const { refreshCatalog } = await import("@pipeline/snapshot/refresh.ts");
    await refreshCatalog({
      client,
      dataDir: options.dataDir,
      clock: wallClock,
      signal: deps.signal,
    }).catch((err) =>
      deps.log?.(
        `snapshot: analytics.duckdb keeps its previous run history: ${
          errorMessage(err)
        }`,
      )
    );
  }
  return report;
}

/**
 * The chunks of a backfill, partition by partition, each day through the
 * stage runner; counts go to `report`, stages and checks to `summary`.
 */
async function runChunks(
  planned: readonly Chunk[],
  report: BackfillReport,
  summary: RunSummary,
  options: BackfillOptions,
  deps: BackfillDeps,
): Promise<void> {
  const { runId } = options;
  const { client, source, dataset, clock, log = () => {}, signal } = deps;
  const wallClock = deps.wallClock ?? clock;
  const newLoadId = deps.newLoadId ?? (() => crypto.randomUUID());
  if (planned.length === 0) return;
  const started = performance.now();
  const dates = new Set<string>();
  const byEntity = Map.groupBy(planned, (c) => c.partition);
  const timed = stageTimer({
    onStage: (stat) => addStage(summary.stages, stat),
    runId,
  });
  const bar = deps.progress?.live
    ? deps.progress.start("backfill", {
      total: planned.length,
      unit: "chunks",
    })
    : undefined;
  let shown = { done: 0, rows: 0 };
  const progress = () => {
    const done = report.succeeded + report.failed;
    if (bar) {
      bar.advance(done - shown.done, report.loaded - shown.rows);
      shown = { done, rows: report.loaded };
      return;
    }
    const elapsed = performance.now() - started;
    const eta = done > 0 ? (elapsed / done) * (planned.length - done) : NaN;
    log(
      `backfill: ${done}/${planned.length} chunks (${
        Math.round((100 * done) / planned.length)
      }%), ${
        report.loaded.toLocaleString("en-US")
      } rows, ${report.failed} failed, ETA ${
        Number.isFinite(eta) ? duration(eta) : "?"
      }`,
    );
  };
  const chunkState = {
    source: source.name,
    dataset: dataset.name,
    runId,
  };

  /** Counts a failed chunk whose state row says so. */
  const countFailure = (
    partition: string,
    day: string,
    stage: Stage,
    error: string,
  ) => {
    report.failed++;
    report.pending--;
    report.failures.push({ partition, day, stage, error });
    log(`backfill: ${partition} ${day} failed: ${error}`);
  };
  /** Records a chunk as failed with its error, and counts it. */
  const failChunk = async (
    partition: string,
    day: string,
    err: unknown,
    loadId: string | null,
  ) => {
    const error = errorMessage(err);
    await recordChunk(client, {
      ...chunkState,
      partition,
      day,
      status: "failed",
      loadId,
      error,
      now: wallClock.now(),
    });
    countFailure(
      partition,
      day,
      err instanceof EtlError ? err.stage : "load",
      error,
    );
  };

  try {
    for (const [entity, todo] of byEntity) {
      if (signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const start = parseDay(todo[0]!.day, "day");
      const end = parseDay(todo.at(-1)!.day, "day") + DAY_MS;
      let valid: pl.DataFrame, quarantine: pl.DataFrame, extracted: number;
      try {
        const raw = await timed(
          "extract",
          0,
          () =>
            source.extract(entity, {
              start: new Date(start),
              end: new Date(end),
            }, signal),
          (f) => f.height,
        );
        extracted = raw.height;
        ({ valid, quarantine } = await timed(
          "validate",
          raw.height,
          () => validateBatch(dataset, raw, clock.now(), deps.secrets),
          (r) => r.valid.height,
        ));
      } catch (err) {
        for (const c of todo) await failChunk(entity, c.day, err, null);
        progress();
        continue;
      }
      // Split by UTC day; quarantined records go with the day of their ts
      // text, or with the first chunk when it cannot be read.
      const dayOf = valid.select(
        pl.col("ts").cast(pl.Int64).div(DAY_MS).floor().cast(pl.Int64).alias(
          "d",
        ),
      ).getColumn("d");
      const validDays = valid.withColumns(dayOf.alias("__day"));
      const qTs = quarantine.height > 0
        ? (quarantine.getColumn("ts").toArray() as unknown[])
        : [];
      const qDays = qTs.map((t) => dayOfText(t) ?? todo[0]!.day);
      let inChunks = 0;

      for (const chunk of todo) {
        if (signal?.aborted) {
          report.interrupted = true;
          break;
        }
        const dayNo = parseDay(chunk.day, "day") / DAY_MS;
        const validDay = validDays.filter(pl.col("__day").eq(dayNo)).drop(
          "__day",
        );
        const qMask = qDays.map((d) => d === chunk.day);
        const qDay = quarantine.height > 0
          ? quarantine.filter(pl.Series("m", qMask))
          : quarantine;
        inChunks += validDay.height + qDay.height;
        const loadId = newLoadId();
        await recordChunk(client, {
          ...chunkState,
          partition: entity,
          day: chunk.day,
          status: "running",
          now: wallClock.now(),
        });
        let batch;
        try {
          batch = await runBatch({
            validated: { valid: validDay, quarantine: qDay },
          }, {
            dataset,
            source: source.name,
            pipeline: summary.pipeline,
            runId,
            loadId,
            since: new Map([[entity, new Date(dayNo * DAY_MS)]]),
            dataDir: options.dataDir,
            snapshot: false,
            // A chunk a blocking check stopped commits as failed, with its
            // records in quarantine: its later days wait for a rerun.
            within: (tx, gate) =>
              recordChunk(tx, {
                ...chunkState,
                partition: entity,
                day: chunk.day,
                status: gate.checks.blocked.length ? "failed" : "succeeded",
                rows: gate.rows,
                loadId,
                error: gate.checks.blocked.length
                  ? blockedError(gate.checks)
                  : null,
                now: wallClock.now(),
              }),
          }, { client, clock, wallClock, alerter: deps.alerter });
        } catch (err) {
          await failChunk(entity, chunk.day, err, loadId);
          progress();
          break; // the partition's later days need this day's lookback
        }
        foldBatch(summary, batch);
        report.extracted += batch.counts.extracted;
        report.loaded += batch.counts.loaded;
        report.duplicates += batch.counts.duplicates;
        report.quarantined += batch.counts.quarantined;
        for (const d of batch.dates) dates.add(d);
        if (batch.checks && batch.checks.blocked.length > 0) {
          countFailure(
            entity,
            chunk.day,
            "quality",
            blockedError(batch.checks),
          );
          progress();
          break; // as for a failed load: the next day needs this one
        }
        report.succeeded++;
        report.pending--;
        progress();
      }
      report.outside += extracted - inChunks;
    }
  } finally {
    bar?.done();
  }
  report.dates = [...dates].sort();
}
