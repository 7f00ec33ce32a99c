/**
 * The SQL client every stage talks to: a small interface with two
 * implementations, embedded PGlite (the default, no server) and a Postgres
 * server through `pg`. Bulk data moves through COPY on both.
 *
 * Each driver is imported when a connection of its kind opens, so a run
 * loads only the one it uses.
 * @module
 */
import { CopyOut } from "@pipeline/load/_copy_out.ts";
import { pgliteCopyStatements } from "@pipeline/load/_pglite_copy.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { Buffer } from "node:buffer";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from "kysely";

/** Rows and the number of rows a statement touched. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** What the pipeline needs from a Postgres connection. */
export interface SqlClient {
  /** `pglite` (embedded) or `postgres` (a server). */
  readonly kind: "pglite" | "postgres";
  /** Runs one statement with `$1`-style parameters. */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
  /** Runs several statements without parameters. */
  exec(sql: string): Promise<void>;
  /**
   * `COPY ... FROM STDIN` with `data` as the input; returns rows copied.
   * Chunks are produced lazily, so encoding the next chunk overlaps the
   * server reading the previous one.
   */
  copyFrom(
    sql: string,
    data: Uint8Array | Iterable<Uint8Array>,
  ): Promise<number>;
  /** `COPY ... TO STDOUT`; returns the output bytes. */
  copyTo(sql: string): Promise<Uint8Array>;
  /**
   * `COPY ... TO STDOUT` streamed into the file at `path` (created or
   * truncated) without holding the output in memory; returns bytes written.
   */
  copyToFile(sql: string, path: string): Promise<number>;
  /** Runs `fn` in one transaction: committed if it resolves, else rolled back. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Where to connect: a server URL, or a PGlite data directory (or memory). */
export type ConnectTarget =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dataDir?: string | undefined };

/** Opens a {@link SqlClient} for `target`. */
export function connect(target: ConnectTarget): Promise<SqlClient> {
  return target.kind === "postgres"
    ? connectPostgres(target.url)
    : connectPglite(target.dataDir);
}

/** Options of {@link connectPglite}. */
export interface PgliteOptions {
  /**
   * Bytes of COPY input per statement: a binary COPY is sent in statements
   * of about this size (whole chunks of rows), so PGlite's memory holds one
   * statement's input, not the whole load's, and the event loop turns
   * between statements (progress bars move). Default 16 MiB.
   */
  copyStatementBytes?: number;
  /**
   * PGlite's `shared_buffers`. Postgres' 128MB is allocated and touched at
   * start inside PGlite's WebAssembly memory: measured, a PGlite opened on
   * an existing directory held 295 MiB resident with 128MB and 170 MiB with
   * 16MB, and a 1M-row CREATE TABLE AS took 5.2 s and 4.7 s. Default `16MB`.
   */
  sharedBuffers?: string;
}

/** Default {@link PgliteOptions.copyStatementBytes}. */
export const PGLITE_COPY_STATEMENT_BYTES = 16 << 20;

/**
 * Runs a PGlite call; a file-system fault of its storage (Emscripten throws
 * a bare `{ errno }`, printed `[object Object]`) becomes an `Error` saying
 * what (`no space left on device`) and where (the data directory).
 */
async function storage<T>(
  dataDir: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error) throw err;
    throw new Error(
      `PGlite storage ${dataDir ?? "(memory)"}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** Embedded Postgres (PGlite) stored in `dataDir`, or in memory. */
export async function connectPglite(
  dataDir?: string,
  options: PgliteOptions = {},
): Promise<SqlClient> {
  const {
    copyStatementBytes = PGLITE_COPY_STATEMENT_BYTES,
    sharedBuffers = "16MB",
  } = options;
  if (!/^\d+(kB|MB|GB)$/.test(sharedBuffers)) {
    throw new Error(`invalid PGlite shared_buffers: ${sharedBuffers}`);
  }
  const { PGlite } = await import("@electric-sql/pglite");
  if (dataDir) await Deno.mkdir(dataDir, { recursive: true });
  const startParams = [
    ...(PGlite as unknown as { defaultStartParams: string[] })
      .defaultStartParams,
    "-c",
    `shared_buffers=${sharedBuffers}`,
  ];
  const db = await PGlite.create(
    dataDir ? { dataDir, startParams } : { startParams },
  );
  const client: SqlClient = {
    kind: "pglite",
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await storage(dataDir, () => db.query<R>(sql, [...params]));
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql) {
      await storage(dataDir, () => db.exec(sql));
    },
    async copyFrom(sql, data) {
      const stdin = sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");
      let rows = 0;
      for (
        const parts of pgliteCopyStatements(sql, data, copyStatementBytes)
      ) {
        // Gathering a statement's chunks told their rows (onRows); the event
        // loop turns before the statement blocks it, so timers (a progress
        // bar's redraw) show them.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const res = await storage(dataDir, () =>
          db.query(stdin, [], {
            blob: new Blob(parts as Uint8Array<ArrayBuffer>[]),
          }));
        rows += res.affectedRows ?? 0;
      }
      return rows;
    },
    async copyTo(sql) {
      const stdout = sql.replace(/\bTO\s+STDOUT\b/i, "TO '/dev/blob'");
      const res = await db.query(stdout);
      return res.blob
        ? new Uint8Array(await res.blob.arrayBuffer())
        : new Uint8Array();
    },
    async copyToFile(sql, path) {
      const stdout = sql.replace(/\bTO\s+STDOUT\b/i, "TO '/dev/blob'");
      const res = await db.query(stdout);
      const file = await Deno.open(path, {
        write: true,
        create: true,
        truncate: true,
      });
      if (!res.blob) {
        file.close();
        return 0;
      }
      await res.blob.stream().pipeTo(file.writable);
      return res.blob.size;
    },
    transaction: (fn) => inTransaction(client, fn),
    async close() {
      await db.close();
    },
  };
  return client;
}

/** Bytes {@link SqlClient.copyToFile} gathers before each write (pg). */
const COPY_TO_FILE_BUFFER = 1 << 20;

/** A Postgres server at `url`, through one `pg` connection. */
export async function connectPostgres(url: string): Promise<SqlClient> {
  const [{ default: pg }, { from: copyFromStream }] = await Promise.all([
    import("pg"),
    import("pg-copy-streams"),
  ]);
  const conn = new pg.Client({ connectionString: url });
  // A server that goes away emits `error` on the idle client; unhandled, it
  // would crash the process with a stack trace. The next query fails with
  // the cause instead, and the run reports it.
  conn.on("error", () => {});
  await conn.connect();
  const client: SqlClient = {
    kind: "postgres",
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await conn.query(sql, [...params]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql) {
      await conn.query(sql);
    },
    async copyFrom(sql, data) {
      const stream = conn.query(copyFromStream(sql));
      const chunks = data instanceof Uint8Array ? [data] : data;
      const buffers = (function* () {
        for (const c of chunks) {
          yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
        }
      })();
      // One chunk ahead at most (Readable.from reads 16 ahead by default, which
      // encoded a whole million-row frame before the COPY saw a byte).
      await pipeline(Readable.from(buffers, { highWaterMark: 1 }), stream);
      return Number(stream.rowCount ?? 0);
    },
    async copyTo(sql) {
      const chunks: Buffer[] = [];
      const copy = new CopyOut(sql, (chunk) => chunks.push(Buffer.from(chunk)));
      conn.query(copy as never);
      await copy.done;
      return new Uint8Array(Buffer.concat(chunks));
    },
    async copyToFile(sql, path) {
      const file = Deno.openSync(path, {
        write: true,
        create: true,
        truncate: true,
      });
      try {
        // pg delivers chunks without backpressure, one CopyData message (one
        // row) each; they are gathered into a buffer written synchronously
        // when full, so memory stays at one buffer and a million rows cost
        // a few hundred writes instead of a million.
        const buffer = new Uint8Array(COPY_TO_FILE_BUFFER);
        let used = 0;
        const write = (bytes: Uint8Array) => {
          for (let off = 0; off < bytes.length;) {
            off += file.writeSync(bytes.subarray(off));
          }
        };
        const flush = () => {
          write(buffer.subarray(0, used));
          used = 0;
        };
        const copy = new CopyOut(sql, (chunk) => {
          if (used + chunk.length > buffer.length) flush();
          if (chunk.length > buffer.length) write(chunk);
          else {
            buffer.set(chunk, used);
            used += chunk.length;
          }
        });
        conn.query(copy as never);
        const { bytes } = await copy.done;
        flush();
        return bytes;
      } finally {
        file.close();
      }
    },
    transaction: (fn) => inTransaction(client, fn),
    async close() {
      await conn.end();
    },
  };
  return client;
}

async function inTransaction<T>(
  client: SqlClient,
  fn: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  await client.exec("BEGIN");
  try {
    const result = await fn(client);
    await client.exec("COMMIT");
    return result;
  } catch (err) {
    await client.exec("ROLLBACK").catch(() => {});
    throw err;
  }
}

/** A Kysely instance that runs its queries through `client`. */
export function kyselyFor<DB>(client: SqlClient): Kysely<DB> {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const res = await client.query<R>(query.sql, query.parameters);
      return { rows: res.rows, numAffectedRows: BigInt(res.rowCount) };
    },
    streamQuery() {
      throw new Error("streaming queries are not supported by SqlClient");
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: async (c) => {
      await c.executeQuery(CompiledQuery.raw("BEGIN"));
    },
    commitTransaction: async (c) => {
      await c.executeQuery(CompiledQuery.raw("COMMIT"));
    },
    rollbackTransaction: async (c) => {
      await c.executeQuery(CompiledQuery.raw("ROLLBACK"));
    },
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
