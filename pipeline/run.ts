/**
 * One run of the pipeline: extract every partition, validate, transform,
 * load in one transaction, snapshot, and record the run.
 *
 * Reports rather than throws: the caller gets a {@link RunSummary} whose
 * status and error say what happened; only a broken database connection
 * while recording the run escapes as an exception.
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { loadQuarantine } from "@pipeline/load/quarantine.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { kyselyFor, type SqlClient } from "@pipeline/load/client.ts";
import type { Database } from "@pipeline/load/database.ts";
import { snapshotTables, WAREHOUSE_TABLES } from "@pipeline/snapshot/lake.ts";
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage, EtlError, type Stage } from "@pipeline/errors.ts";
import {
  type PartitionOutcome,
  peakRssMib,
  type RunSummary,
  type StageStat,
} from "@pipeline/summary.ts";

/** What a run needs from outside. */
export interface RunDeps {
  client: SqlClient;
  clock: Clock;
  /** Progress lines (stderr by default in the CLI). */
  log?: (line: string) => void;
  /** Makes run ids; tests may fix them. */
  newRunId?: () => string;
}

/** Options of {@link runPipeline}. */
export interface RunOptions {
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /** Export touched dates to Parquet and DuckDB (default true). */
  snapshot?: boolean;
}

/** Runs the pipeline once over `source`. */
export async function runPipeline(
  source: Source,
  options: RunOptions,
  deps: RunDeps,
): Promise<RunSummary> {
  const { dataDir, snapshot = true } = options;
  const { client, clock, log = () => {} } = deps;
  const runId = (deps.newRunId ?? (() => crypto.randomUUID()))();
  const startedAt = clock.now();
  const stages: StageStat[] = [];
  const partitions: PartitionOutcome[] = [];
  const summary: RunSummary = {
    run_id: runId,
    source: source.name,
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
  };
  const timed = async <T>(
    stage: Stage,
    rowsIn: number,
    fn: () => Promise<T> | T,
    rowsOut: (t: T) => number,
  ): Promise<T> => {
    const t0 = performance.now();
    try {
      const out = await fn();
      stages.push({
        stage,
        rows_in: rowsIn,
        rows_out: rowsOut(out),
        seconds: (performance.now() - t0) / 1000,
      });
      log(`${stage}: ${rowsOut(out)} rows`);
      return out;
    } catch (err) {
      throw err instanceof EtlError
        ? err
        : new EtlError(errorMessage(err), { stage, runId, cause: err });
    }
  };

  await migrateToLatest(client);
  const db = kyselyFor<Database>(client);
  await db.insertInto("etl_runs").values({
    run_id: runId,
    source: source.name,
    started_at: startedAt,
    status: "running",
  }).execute();

  try {
    const raw = await timed("extract", 0, async () => {
      const frames: pl.DataFrame[] = [];
      for (const partition of source.partitions()) {
        try {
          const frame = await partition.extract();
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
      return frames.length ? pl.concat(frames, { how: "vertical" }) : null;
    }, (f) => f?.height ?? 0);
    summary.counts.extracted = raw?.height ?? 0;

    if (raw && raw.height > 0) {
      const dataset = DATASETS[source.dataset];
      if (!dataset) {
        throw new EtlError(`no dataset named ${source.dataset}`, {
          stage: "config",
          runId,
        });
      }
      const now = clock.now();
      const { valid, quarantine } = await timed(
        "validate",
        raw.height,
        () => dataset.validate(raw, { now }),
        (r) => r.valid.height,
      );
      summary.counts.quarantined = quarantine.height;
      const transformed = await timed(
        "transform",
        valid.height,
        () => dataset.transform(valid),
        (r) => r.rows,
      );
      summary.counts.duplicates = transformed.duplicates;
      summary.counts.loaded = transformed.rows;
      const loaded = await timed(
        "load",
        transformed.rows + quarantine.height,
        () =>
          client.transaction(async (tx) => ({
            tables: await dataset.load(tx, transformed.batch, {
              loadId: runId,
            }),
            quarantined: await loadQuarantine(tx, quarantine, {
              loadId: runId,
              source: source.name,
              dataset: dataset.name,
              entityColumn: dataset.entityColumn,
              quarantinedAt: now,
            }),
          })),
        (r) =>
          r.tables.reduce((n, t) => n + t.inserted + t.updated, 0) +
          r.quarantined,
      );
      summary.tables = loaded.tables;
      if (snapshot) {
        const snap = await timed(
          "snapshot",
          transformed.rows,
          async () => {
            const facts = await snapshotTables({
              client,
              dataDir,
              dates: transformed.dates,
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
          dates: transformed.dates,
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
    }
  } catch (err) {
    summary.status = "failed";
    summary.error = errorMessage(err);
  }
  summary.finished_at = clock.now().toISOString();
  summary.peak_rss_mib = peakRssMib();
  await db.updateTable("etl_runs").set({
    finished_at: summary.finished_at,
    status: summary.status,
    summary: JSON.stringify(summary),
    error: summary.error,
  }).where("run_id", "=", runId).execute();
  return summary;
}
