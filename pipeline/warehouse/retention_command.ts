/**
 * `deno task etl retention`: applies the retention once and prints what it
 * did; and the retention job the scheduler runs daily.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import type { Clock } from "@pipeline/clock.ts";
import { errorMessage } from "@pipeline/errors.ts";
import type { Logger } from "@pipeline/ops/logging.ts";
import { readPartitioning } from "@pipeline/warehouse/config.ts";
import {
  applyRetention,
  type RetentionResult,
} from "@pipeline/warehouse/retention.ts";

/** Options of {@link retentionCommand}. */
export interface RetentionCommandOptions {
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  /** `--older-than` in ms; default each table's configured retention. */
  olderThanMs?: number | undefined;
  /** `--table`; default every partitioned table. */
  table?: string | undefined;
  /** `--dry-run`. */
  dryRun: boolean;
  /** `--json`: the result as one JSON object on stdout. */
  json: boolean;
  clock: Clock;
  logger: Logger;
  exit: { ok: number; failed: number; usage: number };
}

/**
 * Runs the retention; returns the exit status: ok, usage (an unknown
 * `--table`) or failed (a partition could not be archived).
 */
export async function retentionCommand(
  options: RetentionCommandOptions,
): Promise<number> {
  const { client, logger, exit } = options;
  await migrateToLatest(client);
  if (options.table !== undefined) {
    const known = await readPartitioning(client);
    if (!known.some((c) => c.table === options.table)) {
      logger.error(
        `error: --table: ${JSON.stringify(options.table)} is not a ` +
          `partitioned table; expected one of ${
            known.map((c) => c.table).join(", ")
          }`,
      );
      return exit.usage;
    }
  }
  const result = await applyRetention({
    client,
    dataDir: options.dataDir,
    olderThanMs: options.olderThanMs,
    tables: options.table === undefined ? undefined : [options.table],
    dryRun: options.dryRun,
    clock: options.clock,
  });
  console.log(
    options.json
      ? JSON.stringify(retentionJson(result))
      : formatRetention(result),
  );
  for (const err of result.errors) logger.error(`error: ${err.message}`);
  return result.errors.length > 0 ? exit.failed : exit.ok;
}

/** The result as plain JSON (instants as ISO text, errors as messages). */
export function retentionJson(result: RetentionResult): unknown {
  return {
    run_id: result.runId,
    dry_run: result.dryRun,
    at: result.at.toISOString(),
    tables: result.tables.map((t) => ({
      table: t.table,
      retention: t.retention,
      horizon: t.horizon?.toISOString() ?? null,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        from: p.from.toISOString(),
        to: p.to.toISOString(),
        rows: p.rows,
        files: p.files,
        action: p.action,
      })),
    })),
    errors: result.errors.map((e) => ({
      message: e.message,
      partition: e.partition ?? null,
      transient: e.transient,
    })),
  };
}

/** An instant as a date when it is midnight UTC, else as ISO text. */
function day(at: Date): string {
  const iso = at.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

/** The result as readable lines, one per table and one per partition. */
export function formatRetention(result: RetentionResult): string {
  const lines = [
    `retention ${result.runId} at ${result.at.toISOString()}${
      result.dryRun ? " (dry run: nothing was changed)" : ""
    }`,
  ];
  for (const t of result.tables) {
    lines.push(
      t.retention === null
        ? `${t.table}: no retention configured`
        : `${t.table}: partitions ending by ${
          t.horizon ? day(t.horizon) : "?"
        } (older than ${t.retention})`,
    );
    for (const p of t.partitions) {
      lines.push(
        `  ${p.partition.padEnd(28)} ${day(p.from)} .. ${day(p.to)}  ${
          p.rows.toLocaleString("en-US").padStart(11)
        } rows  ${
          result.dryRun ? "" : `${String(p.files.length).padStart(3)} files  `
        }${p.action}`,
      );
    }
    if (t.retention !== null && t.partitions.length === 0) {
      lines.push("  nothing to archive");
    }
  }
  const done = result.tables.flatMap((t) => t.partitions);
  lines.push(
    `${done.length} partition(s), ${
      done.reduce((n, p) => n + p.rows, 0).toLocaleString("en-US")
    } rows${
      result.dryRun ? " would move" : " moved"
    } to the lake; ${result.errors.length} error(s)`,
  );
  return lines.join("\n");
}

/** How a scheduled retention ended. */
export interface RetentionJobOutcome {
  /** `noop` when no table has a retention age and nothing was pending. */
  status: "succeeded" | "failed" | "noop";
  /** One line: what was archived, or why nothing or not all was done. */
  message: string;
  /** The first failure's partition (`<table> <partition>`). */
  errorPartition?: string | undefined;
}

/** Options of {@link retentionJob}. */
export interface RetentionJobOptions {
  client: SqlClient;
  dataDir: string;
  clock: Clock;
}

/** The scheduler's retention job: {@link applyRetention} of the configured ages. */
export function retentionJob(options: RetentionJobOptions): {
  run(request: { runId: string }): Promise<RetentionJobOutcome>;
} {
  return {
    async run({ runId }) {
      let result: RetentionResult;
      try {
        result = await applyRetention({ ...options, runId });
      } catch (err) {
        return { status: "failed", message: errorMessage(err) };
      }
      const done = result.tables.flatMap((t) => t.partitions);
      if (
        done.length === 0 && result.errors.length === 0 &&
        result.tables.every((t) => t.retention === null)
      ) {
        return {
          status: "noop",
          message: "retention not configured: no table has a retention age " +
            "(etl_partitioning.retention)",
        };
      }
      const moved = `${done.length} partition(s), ${
        done.reduce((n, p) => n + p.rows, 0)
      } rows moved to the lake${
        done.length ? ` (${done.map((p) => p.partition).join(", ")})` : ""
      }`;
      const first = result.errors[0];
      return first
        ? {
          status: "failed",
          message: `${moved}; ${result.errors.length} error(s): ${
            result.errors.map((e) => e.message).join("; ")
          }`,
          errorPartition: first.partition,
        }
        : { status: "succeeded", message: moved };
    },
  };
}
