/**
 * What `deno task query` does with its arguments: one-shot SQL (an
 * argument, or stdin that is not a terminal) printed or written in a
 * format, or the prompt on a terminal.
 * @module
 */
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  formatCsv,
  formatJson,
  formatTable,
  type QueryFormat,
  type QueryResult,
} from "@pipeline/query/format.ts";
import { QueryError, QuerySession } from "@pipeline/query/session.ts";
import { interactive } from "@pipeline/query/terminal.ts";

/** The history file of the prompt, inside the data directory. */
export const HISTORY_FILE = ".query_history";

/** Options of {@link runQuery}. */
export interface RunQueryOptions {
  /** Holds `analytics.duckdb`. */
  dataDir: string;
  /** The SQL given as an argument, if any. */
  sql?: string | undefined;
  /** Output format. Default `table`. */
  format?: QueryFormat;
  /** Write the (last) result to this file instead of stdout. */
  out?: string | undefined;
  /** Time zone of printed timestamps. */
  timeZone?: string;
  /** Writes to stdout. */
  write(text: string): void;
  /** Writes a message to stderr. */
  warn(text: string): void;
  /** Whether stdin is a terminal (the prompt runs when no SQL is given). */
  stdinIsTerminal: boolean;
  /** Reads all of stdin. */
  readStdin(): Promise<string>;
}

/** A result in a text format. */
function render(
  result: QueryResult,
  format: Exclude<QueryFormat, "parquet">,
  zone: string,
): string {
  return format === "csv"
    ? formatCsv(result, zone)
    : format === "json"
    ? formatJson(result, zone)
    : formatTable(result, zone);
}

/**
 * Runs `deno task query`.
 *
 * @returns The exit status: 0 done, 1 a statement failed, 2 bad usage or
 *   no catalogue.
 */
export async function runQuery(options: RunQueryOptions): Promise<number> {
  const { dataDir, format = "table", out, write, warn } = options;
  if (format === "parquet" && !out) {
    warn("error: --format parquet needs --out FILE\n");
    return 2;
  }
  let sql = options.sql;
  if (sql === undefined && !options.stdinIsTerminal) {
    sql = await options.readStdin();
    if (sql.trim() === "") {
      warn("error: no SQL: give a query as the argument or on stdin\n");
      return 2;
    }
  }
  let session: QuerySession;
  try {
    session = await QuerySession.open(dataDir, {
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
  } catch (err) {
    warn(`error: ${errorMessage(err)}\n`);
    return err instanceof EtlError && err.transient ? 1 : 2;
  }
  try {
    if (sql === undefined) {
      await interactive({ session, historyPath: `${dataDir}/${HISTORY_FILE}` });
      return 0;
    }
    if (format === "parquet") {
      const rows = await session.toParquet(sql, out!);
      warn(`wrote ${rows} rows to ${out}\n`);
      return 0;
    }
    const results = (await session.run(sql)).filter((r) =>
      r.columns.length > 0 || format === "table"
    );
    if (out) {
      const last = results.at(-1);
      if (!last) {
        warn("error: the SQL returned no result to write\n");
        return 1;
      }
      await Deno.writeTextFile(out, render(last, format, session.timeZone));
      warn(`wrote ${last.rows.length} rows to ${out}\n`);
      return 0;
    }
    write(
      results.map((r) => render(r, format, session.timeZone)).join(
        format === "table" ? "\n" : "",
      ),
    );
    return 0;
  } catch (err) {
    if (
      !(err instanceof QueryError) && !(err instanceof Deno.errors.NotFound) &&
      !(err instanceof Deno.errors.PermissionDenied)
    ) throw err;
    warn(`error: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    session.close();
  }
}
