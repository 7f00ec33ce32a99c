/**
 * A source database as the database engine reads it: one consistent
 * snapshot, pages of rows as arrays of text (timestamps as UTC
 * `YYYY-MM-DD HH:MM:SS[.fff]`, decimals and big integers exact), and the
 * dialect's quoting and placeholders. Two implementations: MySQL/MariaDB
 * through `mysql2` and Postgres through `pg`.
 * @module
 */
import { EtlError } from "@pipeline/errors.ts";
import { redactUrl } from "@pipeline/config.ts";

/** What the engine needs from a source database. */
export interface SourceReader {
  readonly kind: "mysql" | "postgres";
  /** `mysql:sluice_platform`: the source's name in watermarks and logs. */
  readonly name: string;
  /**
   * Starts the read-only transaction every page of the run is read in
   * (MySQL `START TRANSACTION WITH CONSISTENT SNAPSHOT`, Postgres
   * `REPEATABLE READ`).
   */
  beginSnapshot(): Promise<void>;
  /** Ends the snapshot's transaction. */
  endSnapshot(): Promise<void>;
  /** One statement's rows, each an array in select order. */
  rows(sql: string, params: readonly unknown[]): Promise<unknown[][]>;
  /** An identifier quoted for the dialect (checked first). */
  quote(identifier: string): string;
  /** The placeholder of the `i`-th parameter (1-based). */
  placeholder(i: number): string;
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function checked(identifier: string): string {
  if (!IDENTIFIER.test(identifier)) {
    throw new EtlError(
      `invalid source identifier ${JSON.stringify(identifier)}`,
      {
        stage: "extract",
      },
    );
  }
  return identifier;
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) ||
    "default";
}

/** Opens a MySQL/MariaDB source (`mysql://user:pass@host:port/db`). */
export async function mysqlReader(url: string): Promise<SourceReader> {
  // Each driver loads when a reader of its kind opens.
  const { default: mysql } = await import("mysql2/promise");
  const conn = await mysql.createConnection({
    uri: url,
    dateStrings: true,
    timezone: "Z",
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  }).catch((cause) => {
    throw new EtlError(`cannot connect to the source ${redactUrl(url)}`, {
      stage: "extract",
      partition: "mysql",
      transient: true,
      cause,
    });
  });
  return {
    kind: "mysql",
    name: `mysql:${databaseName(url)}`,
    async beginSnapshot() {
      await conn.query("SET SESSION time_zone = '+00:00'");
      await conn.query(
        "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
      );
      await conn.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    },
    async endSnapshot() {
      await conn.query("COMMIT");
    },
    async rows(sql, params) {
      const [rows] = await conn.query({ sql, rowsAsArray: true }, [...params]);
      return rows as unknown[][];
    },
    quote: (id) => `\`${checked(id)}\``,
    placeholder: () => "?",
    close: () => conn.end(),
  };
}

/** Text as Postgres sends it, timestamps in UTC without the offset. */
const TEXT_TYPES = {
  getTypeParser(oid: number) {
    // timestamptz: the session is in UTC, so the offset is always +00.
    if (oid === 1184) return (v: string) => v.replace(/\+00$/, "");
    return (v: string) => v;
  },
};

/** Opens a Postgres source (`postgres://user@host/db`). */
export async function postgresReader(url: string): Promise<SourceReader> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((cause) => {
    throw new EtlError(`cannot connect to the source ${redactUrl(url)}`, {
      stage: "extract",
      partition: "postgres",
      transient: true,
      cause,
    });
  });
  return {
    kind: "postgres",
    name: `postgres:${databaseName(url)}`,
    async beginSnapshot() {
      await client.query("SET TIME ZONE 'UTC'");
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    },
    async endSnapshot() {
      await client.query("COMMIT");
    },
    async rows(sql, params) {
      const result = await client.query({
        text: sql,
        values: [...params],
        rowMode: "array",
        types: TEXT_TYPES,
      });
      return result.rows as unknown[][];
    },
    quote: (id) => `"${checked(id)}"`,
    placeholder: (i) => `$${i}`,
    close: () => client.end(),
  };
}

/** The reader of `url` by its scheme: mysql:// or postgres(ql)://. */
export function openReader(url: string): Promise<SourceReader> {
  const scheme = url.split(":", 1)[0];
  if (scheme === "mysql" || scheme === "mariadb") return mysqlReader(url);
  if (scheme === "postgres" || scheme === "postgresql") {
    return postgresReader(url);
  }
  throw new EtlError(
    `unsupported source URL scheme "${scheme}" (mysql:// or postgres://)`,
    { stage: "config" },
  );
}
