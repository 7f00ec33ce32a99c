/**
 * Whether the lake equals the warehouse: per table, the row count and a
 * content fingerprint (SHA-256 of the sorted rows) read from Postgres and,
 * through DuckDB, from the table's Parquet files; and the DuckDB catalog
 * (`analytics.duckdb`: the view and `lake_files`) agreeing with the files.
 * Values are compared in one normal form: timestamps as epoch microseconds,
 * floating point and decimals as JS numbers, everything else as text.
 * @module
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import type { SqlClient } from "@pipeline/load/client.ts";
import { describeTable } from "@pipeline/snapshot/columns.ts";
import { partitionKey } from "@pipeline/snapshot/granularity.ts";
import type { SnapshotTable } from "@pipeline/snapshot/lake.ts";
import { sqlString } from "@pipeline/snapshot/catalog.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";

/** Rows and fingerprint of one side. */
export interface Contents {
  rows: number;
  sha256: string;
}

/** One table on both sides, and what the DuckDB catalog says. */
export interface TableComparison {
  table: string;
  warehouse: Contents;
  lake: Contents;
  /** `count(*)` of the table's view in analytics.duckdb (0 without one). */
  view: number;
  /** `sum(rows)` of its `lake_files` rows. */
  catalog: number;
}

const NUMERIC = /^(DOUBLE|FLOAT|DECIMAL)/;

async function fingerprint(rows: unknown[][]): Promise<Contents> {
  const lines = rows.map((r) =>
    JSON.stringify(
      r.map((v) => typeof v === "bigint" ? String(v) : v ?? null),
    )
  ).sort();
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(lines.join("\n")),
  );
  return {
    rows: rows.length,
    sha256: [...new Uint8Array(digest)].map((b) =>
      b.toString(16).padStart(2, "0")
    ).join(""),
  };
}

/**
 * Compares one table of the warehouse with its lake files under
 * `<dataDir>/lake` and its view in `<dataDir>/analytics.duckdb`.
 */
export async function compareTable(
  client: SqlClient,
  dataDir: string,
  table: SnapshotTable,
): Promise<TableComparison> {
  const shape = await describeTable({ client, table: table.name });
  const pgCols = shape.columns.map((c) =>
    c.duckdbType === "TIMESTAMPTZ"
      ? `(extract(epoch FROM "${c.name}") * 1000000)::bigint::text`
      : NUMERIC.test(c.duckdbType)
      ? `"${c.name}"::float8`
      : `"${c.name}"::text`
  );
  const { rows: pgRows } = await client.query<Record<string, unknown>>(
    `SELECT ${
      pgCols.map((c, i) => `${c} AS c${i}`).join(", ")
    } FROM "${table.name}"`,
  );
  const warehouse = await fingerprint(
    pgRows.map((r) => pgCols.map((_, i) => r[`c${i}`])),
  );

  const key = partitionKey(table.granularity ?? "day");
  const glob = `${dataDir}/lake/${table.name}/${key}=*/*.parquet`;
  const duckCols = shape.columns.map((c) =>
    c.duckdbType === "TIMESTAMPTZ"
      ? `CAST(epoch_us("${c.name}") AS VARCHAR)`
      : NUMERIC.test(c.duckdbType)
      ? `CAST("${c.name}" AS DOUBLE)`
      : `CAST("${c.name}" AS VARCHAR)`
  );
  const instance = await DuckDBInstance.create(":memory:");
  let lake: Contents;
  let view = 0;
  let catalog = 0;
  try {
    const duck = await instance.connect();
    try {
      const files = (await duck.runAndReadAll(
        `SELECT count(*) FROM glob(${sqlString(glob)})`,
      )).getRowsJS()[0]![0];
      lake = Number(files) === 0 ? await fingerprint([]) : await fingerprint(
        (await duck.runAndReadAll(
          `SELECT ${duckCols.join(", ")} FROM read_parquet(${
            sqlString(glob)
          }, hive_partitioning = false, union_by_name = true)`,
        )).getRowsJS() as unknown[][],
      );
      const db = `${dataDir}/analytics.duckdb`;
      if (await Deno.stat(db).then(() => true, () => false)) {
        await duck.run(`ATTACH ${sqlString(db)} AS a (READ_ONLY)`);
        // The views address the lake relative to the data directory.
        await duck.run(`SET file_search_path = ${sqlString(dataDir)}`);
        const hasView = (await duck.runAndReadAll(
          `SELECT count(*) FROM duckdb_views()
           WHERE database_name = 'a' AND view_name = $1`,
          [table.name],
        )).getRowsJS()[0]![0];
        if (Number(hasView) > 0) {
          view = Number(
            (await duck.runAndReadAll(
              `SELECT count(*) FROM a."${table.name}"`,
            )).getRowsJS()[0]![0],
          );
        }
        catalog = Number(
          (await duck.runAndReadAll(
            `SELECT COALESCE(sum(rows), 0) FROM a.lake_files
             WHERE table_name = $1`,
            [table.name],
          )).getRowsJS()[0]![0],
        );
        await duck.run("DETACH a");
      }
    } finally {
      duck.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  return { table: table.name, warehouse, lake, view, catalog };
}

/**
 * Asserts that every lake table of the datasets (the quarantine included;
 * `symbols_ref` left out: the lake keeps each day's snapshot of it, the
 * warehouse only the current one) holds in the lake exactly its warehouse
 * rows, and that the DuckDB view and `lake_files` count them too.
 *
 * @returns The comparisons, for further checks.
 */
export async function assertLakeEqualsWarehouse(
  client: SqlClient,
  dataDir: string,
): Promise<TableComparison[]> {
  const out: TableComparison[] = [];
  for (const table of lakeTables(DATASETS)) {
    if (table.name === "symbols_ref") continue;
    const c = await compareTable(client, dataDir, table);
    assert.deepEqual(c.lake, c.warehouse, `lake of ${table.name}`);
    assert.equal(c.view, c.warehouse.rows, `view ${table.name}`);
    assert.equal(c.catalog, c.warehouse.rows, `lake_files of ${table.name}`);
    out.push(c);
  }
  return out;
}

/**
 * The `.staging-*` entries directly under `<dataDir>/lake`, and the
 * catalogue's `.staging-catalog-*` files in `<dataDir>`.
 */
export async function stagingLeftovers(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [`${dataDir}/lake`, dataDir]) {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.name.startsWith(".staging-")) found.push(e.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return found;
}
