/**
 * A run's DuckDB catalogue read in tests as `deno task query` reads it:
 * read-only, the lake's relative paths resolved from the data folder
 * (`openCatalog()`).
 * @module
 */
import { openCatalog } from "@pipeline/snapshot/open_catalog.ts";

/** The rows `sql` returns from `<dataDir>/analytics.duckdb`, as JSON values. */
export async function catalogRows(
  dataDir: string,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const catalog = await openCatalog(dataDir);
  try {
    return (await catalog.conn.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    catalog.close();
  }
}
