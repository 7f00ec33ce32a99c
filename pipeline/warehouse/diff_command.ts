/**
 * `deno task etl diff --table T --from D1 --to D2 [--key a,b] [--json]`:
 * diffs two daily snapshots of a lake table, prints the counts and keys,
 * and records them in `etl_snapshot_diffs`.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { parseSnapshotDates } from "@pipeline/snapshot/lake.ts";
import {
  DiffInputError,
  type DiffKey,
  diffSnapshots,
  snapshotDates,
} from "@pipeline/warehouse/diff.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";
import { lakeTables as lakeTablesOf } from "@pipeline/datasets/lake_tables.ts";
import { recordSnapshotDiff } from "@pipeline/warehouse/diff_record.ts";

/** Options of {@link diffCommand}. */
export interface DiffCommandOptions {
  /** Holds `lake/`. */
  dataDir: string;
  /** `--table`. */
  table: string | undefined;
  /** `--from`, the older date. */
  from: string | undefined;
  /** `--to`, the newer date. */
  to: string | undefined;
  /** `--key`, comma-separated; default the table's key. */
  key?: string | undefined;
  /** `--json`: one JSON object on stdout. */
  json?: boolean | undefined;
  /** Recorded with the diff. Default a fresh uuid. */
  runId?: string | undefined;
  /** Writes to stdout. Default `console.log`. */
  out?: ((text: string) => void) | undefined;
  /** Writes to stderr. Default `console.error`. */
  err?: ((text: string) => void) | undefined;
}

/** The tables of the lake that have at least one snapshot. */
async function lakeTables(lakeDir: string): Promise<string[]> {
  const tables: string[] = [];
  try {
    for await (const entry of Deno.readDir(lakeDir)) {
      if (!entry.isDirectory || entry.name.startsWith(".")) continue;
      if ((await snapshotDates(lakeDir, entry.name).catch(() => [])).length) {
        tables.push(entry.name);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return tables.sort();
}

/** `symbol=B` or `symbol=B ts=2026-11-20 14:30:00+00`. */
function formatKey(key: DiffKey): string {
  return Object.entries(key).map(([k, v]) => `${k}=${v}`).join(" ");
}

/**
 * Runs the `diff` command; returns the exit status: 0 done, 2 bad usage (a
 * missing flag, an unknown table, a date without a snapshot, a bad key).
 * Other failures (DuckDB, the database) throw.
 */
export async function diffCommand(
  client: SqlClient,
  options: DiffCommandOptions,
): Promise<number> {
  const {
    dataDir,
    table,
    from,
    to,
    json = false,
    out = console.log,
    err = console.error,
  } = options;
  const usage = (message: string) => {
    err(`error: ${message}`);
    return 2;
  };
  if (!table) return usage("diff needs --table NAME");
  if (!from || !to) return usage("diff needs --from DATE and --to DATE");
  try {
    parseSnapshotDates([from, to]);
  } catch (e) {
    return usage(errorMessage(e));
  }
  const lakeDir = `${dataDir}/lake`;
  const known = await lakeTables(lakeDir);
  if (!known.includes(table)) {
    return usage(
      `unknown table ${
        JSON.stringify(table)
      }: no snapshots of it in ${lakeDir} (${
        known.length ? `tables with snapshots: ${known.join(", ")}` : "none yet"
      })`,
    );
  }
  const key = options.key?.split(",").map((k) => k.trim()).filter(Boolean);
  const declared = lakeTablesOf(DATASETS).find((t) => t.name === table);
  let diff;
  try {
    diff = await diffSnapshots({
      lakeDir,
      table,
      from,
      to,
      key: key?.length ? key : declared?.key,
      ignore: declared?.diffIgnore,
    });
  } catch (e) {
    if (e instanceof DiffInputError) {
      return usage(
        /no default key/.test(e.message)
          ? `${e.message} with --key a,b`
          : e.message,
      );
    }
    throw e;
  }
  const runId = options.runId ?? crypto.randomUUID();
  await migrateToLatest(client);
  try {
    await client.transaction((tx) => recordSnapshotDiff(tx, diff, { runId }));
  } catch (cause) {
    throw new EtlError(`cannot record the diff of ${table}`, {
      stage: "load",
      partition: `${table} ${from}..${to}`,
      cause,
    });
  }
  const counts = {
    inserted: diff.inserted.length,
    updated: diff.updated.length,
    deleted: diff.deleted.length,
  };
  if (json) {
    out(JSON.stringify({ ...diff, counts, run_id: runId }));
    return 0;
  }
  const lines = [
    `${table} ${from} -> ${to} (key ${diff.key.join(", ")}; compared ${
      diff.columns.join(", ") || "no columns"
    })`,
    `  ${counts.inserted} inserted, ${counts.updated} updated, ${counts.deleted} deleted`,
    ...diff.inserted.map((k) => `  + ${formatKey(k)}`),
    ...diff.updated.map((k) => `  ~ ${formatKey(k)}`),
    ...diff.deleted.map((k) => `  - ${formatKey(k)}`),
    `recorded in etl_snapshot_diffs (run ${runId})`,
  ];
  out(lines.join("\n"));
  return 0;
}
