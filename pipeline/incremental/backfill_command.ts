/**
 * `deno task etl backfill --from DATE --to DATE`: the CLI's backfill (see
 * `@pipeline/incremental/backfill.ts`: chunks through the stage runner,
 * recorded as a run with trigger `backfill`, the dates it wrote
 * snapshotted) under the pipeline's run lock.
 * @module
 */
import type { Progress } from "@pipeline/ops/progress.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { RunConfig } from "@pipeline/config.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
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
import { EtlError } from "@pipeline/errors.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
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
  /** Gets a `check_failed` alert per failing blocking check. */
  alerter?: Alerter | undefined;
  /** Configured secrets, redacted from raw records before validation. */
  secrets?: readonly string[] | undefined;
  /** Shows the backfill as one bar over its chunks. Default nothing. */
  progress?: Progress | undefined;
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
    const report = await backfill({
      from: options.from,
      to: options.to,
      reprocess: options.reprocess,
      dryRun: options.dryRun,
      runId,
      pipeline,
      dataDir: config.dataDir,
      snapshot: config.snapshot,
    }, {
      client,
      source,
      dataset,
      clock,
      wallClock,
      log: (line) => logger.info(line),
      signal: deps.signal,
      alerter: deps.alerter,
      secrets: deps.secrets,
      progress: deps.progress,
    });
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
