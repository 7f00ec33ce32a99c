/**
 * Landing an extracted table in the lake: its CSV file written as Parquet
 * by DuckDB (`<lake>/<table>/date=YYYY-MM-DD/<run id>.parquet`), typed by
 * the declared columns.
 * @module
 */
import type { TableColumn } from "@pipeline/datasets/table_dataset.ts";
import { sqlString } from "@pipeline/snapshot/catalog.ts";
import { EtlError } from "@pipeline/errors.ts";

const DUCK_TYPES: Record<TableColumn["type"], string> = {
  bigint: "BIGINT",
  int: "INTEGER",
  text: "VARCHAR",
  numeric: "DECIMAL(18,4)",
  timestamp: "TIMESTAMP",
};

/** Writes `csv` (rows of `columns`) to the Parquet file `parquet`. */
export async function csvToParquet(
  csv: string,
  parquet: string,
  columns: readonly TableColumn[],
  options: { rows: number; label: string },
): Promise<void> {
  // Loaded when a table lands: the CLI parses its arguments without it.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const conn = await instance.connect();
    try {
      const source = options.rows === 0
        ? `SELECT ${
          columns.map((c) => `NULL::${DUCK_TYPES[c.type]} AS "${c.name}"`)
            .join(", ")
        } WHERE false`
        : `SELECT * FROM read_csv(${sqlString(csv)}, header = false,
             delim = ',', quote = '"', escape = '"',
             allow_quoted_nulls = false, auto_detect = false,
             columns = {${
          columns.map((c) => `'${c.name}': '${DUCK_TYPES[c.type]}'`).join(", ")
        }})`;
      await conn.run(
        `COPY (${source}) TO ${sqlString(parquet)} (FORMAT parquet)`,
      );
    } finally {
      conn.closeSync();
    }
  } catch (cause) {
    throw new EtlError(`cannot land ${options.label} in the lake`, {
      stage: "snapshot",
      partition: options.label,
      cause,
    });
  } finally {
    instance.closeSync();
  }
}
