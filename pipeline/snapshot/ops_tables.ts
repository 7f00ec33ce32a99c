/**
 * The operations tables in the catalogue: run history, stage timings,
 * checks, loads, watermarks, the lake's debt, the symbol dimension and the
 * other small bookkeeping tables of the warehouse are copied whole into
 * `analytics.duckdb` as DuckDB tables, so an analyst finds them next to the
 * lake's views. They go through the snapshot's own path (a
 * `COPY ... TO STDOUT` into a CSV file read by DuckDB with the columns'
 * types; no DuckDB postgres scanner is available).
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { SqlClient } from "@pipeline/load/client.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { describeTables } from "@pipeline/snapshot/columns.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";
import { CATALOG_STAGING_PREFIX } from "@pipeline/snapshot/staging.ts";

/**
 * The warehouse tables (and views) copied whole into the catalogue. The
 * lake tables are not here (they are views over Parquet), nor the
 * migrations' own bookkeeping; `tests/snapshot/ops_tables_test.ts` checks
 * that every other warehouse table is listed.
 */
export const OPS_TABLES: readonly string[] = Object.freeze([
  "etl_runs",
  "etl_run_stages",
  "etl_run_partitions",
  "etl_checks",
  "etl_loads",
  "etl_watermarks",
  "etl_lake_debt",
  "etl_schedule_occurrences",
  "etl_backfill_chunks",
  "etl_retention",
  "etl_partitioning",
  "etl_schema_changes",
  "etl_snapshot_diffs",
  "etl_snapshot_diff_summary",
  "etl_stream_offsets",
  "etl_stream_acks",
  "etl_stream_leases",
  "dim_symbol",
  "dim_symbol_loads",
  // The stream's price and volume join: small, keyed by (symbol, minute).
  "price_volume",
  "price_volume_sides",
  "price_volume_unmatched",
  "etl_db_extracts",
  "etl_db_watermarks",
  "dim_account",
  "dim_stock",
  "fact_orders",
  "fact_trades",
]);

/**
 * Warehouse relations deliberately left out of the catalogue: the
 * migrations' bookkeeping, and `etl_run_quarantine`, which the catalogue
 * defines as a view over `etl_runs` and the lake's quarantine instead of a
 * second copy of the quarantine (`@pipeline/snapshot/catalog_views.ts`).
 */
export const NOT_IN_CATALOG: readonly string[] = Object.freeze([
  "etl_migrations",
  "etl_migrations_lock",
  "etl_run_quarantine",
]);

/** Options of {@link copyOpsTables}. */
export interface CopyOpsTablesOptions {
  /** The warehouse. */
  client: SqlClient;
  /** The new catalogue. */
  conn: DuckDBConnection;
  /** Where the CSV exports are staged (the data directory). */
  stagingDir: string;
  /** The tables to copy. Default {@link OPS_TABLES}. */
  tables?: readonly string[];
}

/**
 * Replaces each table of `tables` in the catalogue with the warehouse's
 * rows, sorted by its primary key (or all its columns).
 *
 * @returns Rows copied per table.
 * @throws EtlError (stage `snapshot`, partition `catalog <table>`).
 */
export async function copyOpsTables(
  options: CopyOpsTablesOptions,
): Promise<Map<string, number>> {
  const { client, conn, stagingDir, tables = OPS_TABLES } = options;
  const copied = new Map<string, number>();
  const shapes = await describeTables(client, tables);
  // One look-up for all, not one per table: a run's catalogue refresh
  // copies about 30 tables, most of them a few rows or none.
  const views = new Set(
    (await conn.runAndReadAll(
      "SELECT view_name FROM duckdb_views() WHERE NOT internal",
    )).getRowsJS().map((r) => String(r[0])),
  );
  for (const table of tables) {
    const csv =
      `${stagingDir}/${CATALOG_STAGING_PREFIX}${table}-${crypto.randomUUID()}.csv`;
    try {
      const shape = shapes.get(table)!;
      const select = shape.columns.map((c) => c.exportSql).join(", ");
      const order = (shape.primaryKey.length > 0
        ? shape.primaryKey
        : shape.columns.map((c) =>
          c.name
        )).map((c) => `"${c}"`).join(", ");
      const written = await client.copyToFile(
        `COPY (SELECT ${select} FROM "${table}" ORDER BY ${order}) TO STDOUT WITH (FORMAT csv)`,
        csv,
      );
      const columns = shape.columns.map((c) => `"${c.name}" ${c.duckdbType}`)
        .join(", ");
      const types = shape.columns.map((c) =>
        `${sqlString(c.name)}: ${sqlString(c.duckdbType)}`
      ).join(", ");
      // One statement list per table; its result is the insert's, whose
      // count of rows is the table's.
      const result = await conn.run(
        `DROP ${views.has(table) ? "VIEW" : "TABLE"} IF EXISTS "${table}";
         CREATE TABLE "${table}" (${columns});
         COMMENT ON TABLE "${table}" IS 'copied from the warehouse';
         ${
          written > 0
            ? `INSERT INTO "${table}" SELECT * FROM read_csv(${sqlString(csv)},
             header = false, auto_detect = false, delim = ',', quote = '"',
             escape = '"', allow_quoted_nulls = false, columns = {${types}})`
            : ""
        }`,
      );
      copied.set(table, written > 0 ? Number(result.rowsChanged) : 0);
    } catch (cause) {
      if (cause instanceof EtlError) throw cause;
      throw new EtlError(
        `cannot copy ${table} into the catalogue: ${errorMessage(cause)}`,
        { stage: "snapshot", partition: `catalog ${table}`, cause },
      );
    } finally {
      await Deno.remove(csv).catch(() => {});
    }
  }
  return copied;
}
