/**
 * Test databases: PGlite in memory always, and a real Postgres server when
 * `DATABASE_URL` is set, each test in a database of its own that is dropped
 * afterwards.
 * @module
 */
import {
  connectPglite,
  connectPostgres,
  type SqlClient,
} from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { inCi, skipWithoutServer } from "./_requires.ts";

/** The server URL tests may use, or undefined. */
export const SERVER_URL: string | undefined = Deno.env.get("DATABASE_URL");

/**
 * `ignore` of a test that needs a Postgres server: true without
 * `DATABASE_URL` unless CI is set (see tests/_requires.ts).
 */
export const SKIP_SERVER_TESTS: boolean = await skipWithoutServer();

/** A database for one test: its client, its URL (server only), cleanup. */
export interface TestDatabase {
  kind: "pglite" | "postgres";
  client: SqlClient;
  /** The database URL (postgres only), for child processes. */
  url?: string;
  /** Closes the client and drops the database. */
  dispose(): Promise<void>;
}

/** Creates a fresh database on the server at `serverUrl`. */
export async function createServerDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sluice_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = await connectPostgres(serverUrl);
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const admin = await connectPostgres(serverUrl);
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** Opens a migrated test database of the given kind. */
export async function openTestDatabase(
  kind: "pglite" | "postgres",
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const { migrate = true } = options;
  if (kind === "pglite") {
    const client = await connectPglite();
    if (migrate) await migrateToLatest(client);
    return { kind, client, dispose: () => client.close() };
  }
  if (!SERVER_URL) throw new Error("DATABASE_URL is not set");
  const db = await createServerDatabase(SERVER_URL);
  const client = await connectPostgres(db.url);
  if (migrate) await migrateToLatest(client);
  return {
    kind,
    client,
    url: db.url,
    async dispose() {
      await client.close();
      await db.drop();
    },
  };
}

/** The database kinds to test here: PGlite, plus Postgres when a server is set. */
export const DATABASE_KINDS: readonly ("pglite" | "postgres")[] =
  SERVER_URL || inCi((n) => Deno.env.get(n))
    ? ["pglite", "postgres"]
    : ["pglite"];

/**
 * Registers `fn` as one test per database kind, named `"<name> [<kind>]"`.
 */
export function dbTest(
  name: string,
  fn: (db: TestDatabase, t: Deno.TestContext) => Promise<void>,
): void {
  for (const kind of DATABASE_KINDS) {
    Deno.test(`${name} [${kind}]`, async (t) => {
      const db = await openTestDatabase(kind);
      try {
        await fn(db, t);
      } finally {
        await db.dispose();
      }
    });
  }
}
