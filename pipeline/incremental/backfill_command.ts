/**
 * `deno task etl backfill --from DATE --to DATE`: the CLI's backfill under
 * the pipeline's run lock, recorded as a run (trigger `backfill`), then
 * paying the lake's debt (the partitions its chunks dirtied, and any other
 * owed) unless `--no-snapshot`.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { RunConfig } from "@pipeline/config.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { entitySourceFor, type SourceDeps } from "@pipeline/sources.ts";
import {
  backfill,
  type BackfillReport,
  type Reprocess,
} from "@pipeline/incremental/backfill.ts";
import {
  advisoryLock,
  lockedMessage,
  lockHolder,
  runLockKey,
} from "@pipeline/ops/lock.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import { peakRssMib, type RunSummary } from "@pipeline/summary.ts";
import { payLakeDebt } from "@pipeline/snapshot/pay.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { Logger } from "@pipeline/ops/logging.ts";

/** Options of {@link backfillCommand}. */
export interface BackfillCommandOptions {
  config: RunConfig;
  pipeline: string;
  runId: string;
  from: string;
  to: string;
  reprocess: Reprocess;
  dryRun: boolean;
  wait: boolean;
}

/** What {@link backfillCommand} needs from outside. */
export interface BackfillCommandDeps {
  client: SqlClient;
  clock: Clock;
  wallClock: Clock;
  logger: Logger;
  signal: AbortSignal;
  sourceDeps: SourceDeps;
}

/** How a backfill command ended. */
export type BackfillOutcome =
  | { status: "locked"; message: string }
  | {
    status: "succeeded" | "failed" | "interrupted";
    report: BackfillReport;
  };

/** Runs the backfill; see the module doc. */
export async function backfillCommand(
  options: BackfillCommandOptions,
  deps: BackfillCommandDeps,
): Promise<BackfillOutcome> {
  const { config, pipeline, runId } = options;
  const { client, clock, wallClock, logger } = deps;
  const lock = await advisoryLock(client, runLockKey(pipeline), {
    wait: options.wait,
    signal: deps.signal,
  });
  if (!lock) {
    return {
      status: "locked",
      message: lockedMessage(pipeline, await lockHolder(client, pipeline)),
    };
  }
  try {
    await migrateToLatest(client);
    const source = await entitySourceFor(config, deps.sourceDeps);
    const dataset = DATASETS[source.dataset];
    if (!dataset) {
      throw new EtlError(`no dataset named ${source.dataset}`, {
        stage: "config",
      });
    }
    const run = () =>
      backfill({
        from: options.from,
        to: options.to,
        reprocess: options.reprocess,
        dryRun: options.dryRun,
        runId,
      }, {
        client,
        source,
        dataset,
        clock,
        wallClock,
        log: (line) => logger.info(line),
        signal: deps.signal,
      });
    if (options.dryRun) return { status: "succeeded", report: await run() };

    const startedAt = wallClock.now().toISOString();
    const summary: RunSummary = {
      run_id: runId,
      pipeline,
      source: source.name,
      trigger: "backfill",
      attempt: 1,
      scheduled_for: null,
      status: "failed",
      started_at: startedAt,
      finished_at: startedAt,
      counts: { extracted: 0, loaded: 0, quarantined: 0, duplicates: 0 },
      stages: [],
      partitions: [],
      tables: [],
      snapshot: null,
      checks: null,
      peak_rss_mib: null,
      error: null,
      error_stage: null,
      error_partition: null,
      newest_ts: null,
      interrupted: false,
    };
    await recordRunStart(client, summary);
    let report: BackfillReport | undefined;
    try {
      const t0 = performance.now();
      report = await run();
      summary.stages.push({
        stage: "load",
        rows_in: report.extracted,
        rows_out: report.loaded + report.quarantined,
        seconds: (performance.now() - t0) / 1000,
      });
      summary.counts = {
        extracted: report.extracted,
        loaded: report.loaded,
        quarantined: report.quarantined,
        duplicates: report.duplicates,
      };
      if (config.snapshot) {
        const t1 = performance.now();
        const paid = await payLakeDebt(client, {
          dataDir: config.dataDir,
          tables: lakeTables(DATASETS),
          clock,
          signal: deps.signal,
        });
        const tables = paid.tables;
        summary.snapshot = paid.duckdbPath
          ? {
            duckdb: paid.duckdbPath,
            files: tables.reduce((n, t) => n + t.files.length, 0),
            dates: report.dates,
          }
          : null;
        if (paid.owed > 0) {
          summary.stages.push({
            stage: "snapshot",
            rows_in: report.loaded,
            rows_out: tables.reduce((n, t) => n + t.rows, 0),
            seconds: (performance.now() - t1) / 1000,
          });
        }
      }
      summary.interrupted = report.interrupted;
      summary.status = report.failed === 0 && !report.interrupted
        ? "succeeded"
        : "failed";
      if (report.failed > 0) {
        summary.error = `${report.failed} of ${report.planned} chunks failed: ${
          report.failures.slice(0, 5).map((f) =>
            `${f.partition} ${f.day}: ${f.error}`
          ).join("; ")
        }`;
        summary.error_stage = "load";
        summary.error_partition = [
          ...new Set(report.failures.map((f) => f.partition)),
        ].join(", ");
      } else if (report.interrupted) {
        summary.error = `interrupted with ${report.pending} chunks to go`;
      }
    } catch (err) {
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
    return {
      status: report.interrupted
        ? "interrupted"
        : report.failed > 0
        ? "failed"
        : "succeeded",
      report,
    };
  } finally {
    await lock.release();
  }
}

/** The report as readable lines (for stderr). */
export function formatBackfill(r: BackfillReport): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = [
    `backfill [${r.from}, ${r.to}) reprocess=${r.reprocess}${
      r.dryRun ? " (dry run: nothing written)" : ""
    }`,
    `chunks: ${n(r.total)} in range, ${n(r.planned)} to process, ${
      n(r.skipped)
    } already done`,
  ];
  if (r.dryRun) {
    const byStatus = new Map<string, number>();
    for (const c of r.chunks) {
      byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
    }
    lines.push(
      `would process: ${
        [...byStatus].map(([s, k]) => `${n(k)} ${s === "none" ? "new" : s}`)
          .join(", ") || "nothing"
      }`,
    );
    for (const c of r.chunks.slice(0, 20)) {
      lines.push(
        `  ${c.partition} ${c.day} (${c.status === "none" ? "new" : c.status})`,
      );
    }
    if (r.chunks.length > 20) {
      lines.push(`  ... ${n(r.chunks.length - 20)} more`);
    }
    return lines.join("\n");
  }
  lines.push(
    `done: ${n(r.succeeded)} succeeded, ${n(r.failed)} failed, ${
      n(r.pending)
    } not reached${r.interrupted ? " (interrupted)" : ""}`,
    `extracted ${n(r.extracted)} = loaded ${n(r.loaded)} + quarantined ${
      n(r.quarantined)
    } + duplicates ${n(r.duplicates)}; outside the chunks ${n(r.outside)}`,
  );
  for (const f of r.failures.slice(0, 10)) {
    lines.push(`FAILED ${f.partition} ${f.day}: ${f.error}`);
  }
  return lines.join("\n");
}
