/**
 * Convenience views of the catalogue, over the lake's views and the
 * operations tables: what an analyst asks first. Each is created when the
 * relations it reads exist in the catalogue and dropped otherwise (a view
 * over a missing relation cannot be created, and a lake without bars has no
 * latest bar).
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";

/** A view of the catalogue. */
export interface CatalogView {
  /** View name. */
  readonly name: string;
  /** What it shows, stored as the view's comment (`.schema` prints it). */
  readonly comment: string;
  /** The relations it reads; it exists only when all of them do. */
  readonly requires: readonly string[];
  /** Its `SELECT`. */
  readonly sql: string;
}

/** The convenience views, in creation order. */
export const CATALOG_VIEWS: readonly CatalogView[] = Object.freeze([
  {
    name: "latest_bars",
    comment: "the latest one-minute bar of each symbol",
    requires: ["bars_1m"],
    sql: `SELECT * EXCLUDE (date) FROM bars_1m
          QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY ts DESC) = 1`,
  },
  {
    name: "daily_summary",
    comment:
      "one row per symbol and session: OHLC, volume, VWAP, minute bars, the return on the previous close and the day's range",
    requires: ["bars_1d"],
    sql: `SELECT symbol,
                 CAST(timezone('UTC', ts) AS DATE) AS session,
                 open, high, low, close, volume, vwap,
                 bar_count AS minute_bars,
                 close / lag(close) OVER (PARTITION BY symbol ORDER BY ts) - 1
                   AS day_return,
                 (high - low) / open AS range_pct
          FROM bars_1d`,
  },
  {
    name: "etl_run_quarantine",
    comment: "each run's quarantined records, with their reasons",
    requires: ["etl_runs", "quarantine"],
    sql: `SELECT r.run_id, q.id AS quarantine_id, q.dataset, q.source,
                 q.record, q.entity, q.ts, q.field, q.reason, q.quarantined_at
          FROM etl_runs r JOIN quarantine q ON q.load_id = r.run_id`,
  },
  {
    name: "dim_symbol_current",
    comment: "the current version of each symbol of dim_symbol",
    requires: ["dim_symbol"],
    sql: `SELECT * FROM dim_symbol WHERE is_current`,
  },
]);

/** The names of the tables and views of the open catalogue. */
export async function relationsOf(
  conn: DuckDBConnection,
): Promise<Set<string>> {
  const rows = (await conn.runAndReadAll(
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'
     UNION ALL
     SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal`,
  )).getRowsJS();
  return new Set(rows.map((r) => String(r[0])));
}

/**
 * Creates (or replaces) each view of `views` whose relations exist and
 * drops the others.
 *
 * @returns The names of the views created.
 */
export async function createCatalogViews(
  conn: DuckDBConnection,
  views: readonly CatalogView[] = CATALOG_VIEWS,
): Promise<string[]> {
  const created: string[] = [];
  // The relations looked up once, then kept up to date here (a view may
  // require one created before it).
  const tables = new Set<string>(), existing = new Set<string>();
  for (
    const [name, kind] of (await conn.runAndReadAll(
      `SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'main'
       UNION ALL
       SELECT view_name, 'view' FROM duckdb_views()
        WHERE schema_name = 'main' AND NOT internal`,
    )).getRowsJS()
  ) (kind === "view" ? existing : tables).add(String(name));
  for (const view of views) {
    if (tables.has(view.name)) continue; // a copied table wins
    const present = (r: string) => tables.has(r) || existing.has(r);
    if (view.requires.every((r) => present(r) && r !== view.name)) {
      await conn.run(
        `CREATE OR REPLACE VIEW "${view.name}" AS ${view.sql};
         COMMENT ON VIEW "${view.name}" IS '${
          view.comment.replaceAll("'", "''")
        }'`,
      );
      existing.add(view.name);
      created.push(view.name);
    } else if (existing.has(view.name)) {
      await conn.run(`DROP VIEW "${view.name}"`);
      existing.delete(view.name);
    }
  }
  return created;
}
