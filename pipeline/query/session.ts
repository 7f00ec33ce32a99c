/**
 * A query session over the catalogue: SQL statements run read-only against
 * `analytics.duckdb`, results as {@link QueryResult}s, and the listings of
 * the prompt's `.tables` and `.schema`.
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { errorMessage } from "@pipeline/errors.ts";
import {
  type CatalogConnection,
  openCatalog,
} from "@pipeline/snapshot/open_catalog.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";
import { columnKind, type QueryResult } from "@pipeline/query/format.ts";

import { EXCHANGE_TIME_ZONE } from "@pipeline/query/options.ts";

export { EXCHANGE_TIME_ZONE, isTimeZone } from "@pipeline/query/options.ts";

/** Longest error message printed, in characters. */
const MAX_MESSAGE = 400;

/** A statement DuckDB refused: the message is DuckDB's, shortened. */
export class QueryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    const text = message.replace(/^Failed to extract statements: /, "")
      .replace(/\s+/g, " ").trim();
    super(
      text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text,
      options,
    );
    this.name = "QueryError";
  }
}

/** Reads a finished statement into a {@link QueryResult}. */
function toResult(
  reader: Awaited<ReturnType<DuckDBConnection["runAndReadAll"]>>,
): QueryResult {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return {
    columns: names.map((name, i) => ({
      name,
      type: String(types[i]),
      kind: columnKind(types[i]!.typeId),
    })),
    rows: reader.getRowsJS() as unknown[][],
  };
}

/** Options of {@link QuerySession.open}. */
export interface QuerySessionOptions {
  /** The session's time zone (IANA). Default {@link EXCHANGE_TIME_ZONE}. */
  timeZone?: string;
}

/** A read-only session over `<dataDir>/analytics.duckdb`. */
export class QuerySession {
  readonly #catalog: CatalogConnection;
  /** The time zone timestamps print in and dates are cut by. */
  readonly timeZone: string;

  private constructor(catalog: CatalogConnection, timeZone: string) {
    this.#catalog = catalog;
    this.timeZone = timeZone;
  }

  /**
   * Opens the catalogue of `dataDir` read-only.
   *
   * @throws EtlError (stage `config`) without a catalogue.
   */
  static async open(
    dataDir: string,
    options: QuerySessionOptions = {},
  ): Promise<QuerySession> {
    const { timeZone = EXCHANGE_TIME_ZONE } = options;
    return new QuerySession(
      await openCatalog(dataDir, { timeZone }),
      timeZone,
    );
  }

  /** The catalogue file. */
  get path(): string {
    return this.#catalog.path;
  }

  /**
   * Runs every statement of `sql`, in order.
   *
   * @returns One result per statement.
   * @throws QueryError with DuckDB's message (the statements before the
   *   failing one have run).
   */
  async run(sql: string): Promise<QueryResult[]> {
    const { conn } = this.#catalog;
    try {
      const statements = await conn.extractStatements(sql);
      const results: QueryResult[] = [];
      for (let i = 0; i < statements.count; i++) {
        const prepared = await statements.prepare(i);
        results.push(toResult(await prepared.runAndReadAll()));
      }
      return results;
    } catch (cause) {
      throw new QueryError(errorMessage(cause), { cause });
    }
  }

  /**
   * Writes the result of one `SELECT` to a Parquet file at `out`.
   *
   * @returns Rows written.
   * @throws QueryError when `sql` is not one query or DuckDB refuses it.
   */
  async toParquet(sql: string, out: string): Promise<number> {
    const { conn } = this.#catalog;
    const statements = await conn.extractStatements(sql).catch((cause) => {
      throw new QueryError(errorMessage(cause), { cause });
    });
    if (statements.count !== 1) {
      throw new QueryError(
        `--format parquet writes one query's result; got ${statements.count} statements`,
      );
    }
    const query = sql.trim().replace(/;\s*$/, "");
    try {
      const reader = await conn.runAndReadAll(
        `COPY (${query}) TO ${
          sqlString(out)
        } (FORMAT parquet, COMPRESSION zstd)`,
      );
      return Number(reader.getRowsJS()[0]?.[0] ?? 0);
    } catch (cause) {
      throw new QueryError(errorMessage(cause), { cause });
    }
  }

  /** `.tables`: every table and view with its kind and description. */
  async tables(): Promise<QueryResult> {
    const [result] = await this.run(
      `SELECT name, kind, coalesce(comment, '') AS about FROM (
         SELECT view_name AS name, 'view' AS kind, comment FROM duckdb_views()
          WHERE NOT internal AND schema_name = 'main'
         UNION ALL
         SELECT table_name, 'table', comment FROM duckdb_tables()
          WHERE schema_name = 'main')
       ORDER BY name`,
    );
    return result!;
  }

  /**
   * `.schema [table]`: the columns and types of one table or view, or of
   * every one.
   *
   * @throws QueryError naming a table the catalogue does not have.
   */
  async schema(table?: string): Promise<QueryResult> {
    const where = table === undefined
      ? ""
      : `AND table_name = ${sqlString(table)}`;
    const [result] = await this.run(
      `SELECT table_name AS "table", column_name AS "column",
              data_type AS type
         FROM duckdb_columns()
        WHERE schema_name = 'main' AND NOT internal ${where}
        ORDER BY table_name, column_index`,
    );
    if (table !== undefined && result!.rows.length === 0) {
      throw new QueryError(
        `no table or view named ${table} (.tables lists them)`,
      );
    }
    return result!;
  }

  /** Closes the catalogue. */
  close(): void {
    this.#catalog.close();
  }
}
