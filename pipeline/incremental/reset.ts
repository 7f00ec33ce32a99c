/**
 * `deno task etl reset DATASET`: wipes a dataset and its state, so the next
 * run or backfill starts from nothing: the rows of its tables (its state
 * tables too, a join's sides), its
 * quarantined records, its watermarks and backfill chunks (in one
 * transaction), then its Parquet files in the lake (the DuckDB views are
 * refreshed). The run history (`etl_runs`, `etl_loads`) is kept.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { ident } from "@pipeline/load/_copy.ts";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { registerLake } from "@pipeline/snapshot/catalog.ts";
import { withLakeLock } from "@pipeline/snapshot/lake_lock.ts";

/** What {@link resetDataset} removed. */
export interface ResetReport {
  dataset: string;
  tables: { table: string; rows: number }[];
  quarantined: number;
  watermarks: number;
  chunks: number;
  /** Lake directories removed. */
  lakeDirs: string[];
}

/** Options of {@link resetDataset}. */
export interface ResetOptions {
  /** Where the lake and analytics.duckdb live. */
  dataDir: string;
  /** Snapshot time for the refreshed catalog. */
  now: Date;
}

/** Wipes `dataset`: see the module doc. */
export async function resetDataset(
  client: SqlClient,
  dataset: Dataset<unknown>,
  options: ResetOptions,
): Promise<ResetReport> {
  const report = await client.transaction(async (tx) => {
    // The resource's table and the snapshotted tables that are tables (a
    // snapshotted view, like symbols_ref, empties with its table).
    const names = [
      ...new Set([
        dataset.resource.name,
        ...dataset.tables.map((t) => t.name),
        ...dataset.stateTables ?? [],
      ]),
    ];
    const { rows: base } = await tx.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
         AND table_name = ANY($1::text[])`,
      [names],
    );
    const isBase = new Set(base.map((r) => r.table_name));
    const tables = [];
    for (const name of names.filter((n) => isBase.has(n))) {
      const { rowCount } = await tx.query(`DELETE FROM ${ident(name)}`);
      tables.push({ table: name, rows: rowCount });
    }
    const del = async (sql: string) =>
      (await tx.query(sql, [dataset.name])).rowCount;
    return {
      dataset: dataset.name,
      tables,
      quarantined: await del(`DELETE FROM quarantine WHERE dataset = $1`),
      watermarks: await del(`DELETE FROM etl_watermarks WHERE dataset = $1`),
      chunks: await del(`DELETE FROM etl_backfill_chunks WHERE dataset = $1`),
      lakeDirs: [] as string[],
    };
  });
  const lakeDir = `${options.dataDir}/lake`;
  for (const t of dataset.tables) {
    const dir = `${lakeDir}/${t.name}`;
    try {
      await Deno.remove(dir, { recursive: true });
      report.lakeDirs.push(dir);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const duckdbPath = `${options.dataDir}/analytics.duckdb`;
  const exists = await Deno.stat(duckdbPath).then(() => true, () => false);
  if (exists) {
    await withLakeLock(client, async () =>
      registerLake({
        duckdbPath: await Deno.realPath(duckdbPath),
        lakeDir: await Deno.realPath(options.dataDir) + "/lake",
        tables: dataset.tables.map((t) => t.name),
        touched: new Map(),
        written: [],
        snapshotAt: options.now,
        client,
      }));
  }
  return report;
}
