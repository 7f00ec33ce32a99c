/**
 * Declaratively range-partitioned warehouse tables (`PARTITION BY RANGE
 * (ts)` with a DEFAULT partition): the snapshot reads their shape from the
 * parent (relkind `p`, its primary key a partitioned index) and exports them
 * like plain tables, on PGlite and, with DATABASE_URL, a Postgres server.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { fixedClock } from "@pipeline/clock.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { describeTable, snapshotTables } from "@pipeline/snapshot/mod.ts";
import { LOAD_ID, pglite } from "./_fixtures.ts";
import { SKIP_SERVER_TESTS } from "../_db.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");

/** Dates over both range partitions and the DEFAULT one. */
const DATES = ["2026-10-30", "2026-11-20", "2026-12-01", "2026-12-02"];

/** Creates `bars_1m` partitioned by month of `ts` and fills it. */
async function createPartitioned(client: SqlClient): Promise<void> {
  await client.exec(`
    CREATE TABLE bars_1m (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      close double precision NOT NULL,
      load_id uuid NOT NULL,
      PRIMARY KEY (symbol, ts)
    ) PARTITION BY RANGE (ts);
    CREATE TABLE bars_1m_2026_11 PARTITION OF bars_1m
      FOR VALUES FROM ('2026-11-01T00:00:00Z') TO ('2026-12-01T00:00:00Z');
    CREATE TABLE bars_1m_2026_12 PARTITION OF bars_1m
      FOR VALUES FROM ('2026-12-01T00:00:00Z') TO ('2027-01-01T00:00:00Z');
    CREATE TABLE bars_1m_default PARTITION OF bars_1m DEFAULT;
    INSERT INTO bars_1m (symbol, ts, close, load_id)
    SELECT s, t, extract(epoch FROM t) / 1e9, '${LOAD_ID}'
      FROM unnest(ARRAY['MSFT', 'AAPL']) s,
           unnest(ARRAY[
             '2026-10-30T23:59:00Z', '2026-10-30T14:30:00Z',
             '2026-11-20T14:30:00Z', '2026-11-30T23:59:59Z',
             '2026-12-01T00:00:00Z', '2026-12-02T10:00:00Z',
             '2026-12-03T10:00:00Z']::timestamptz[]) t;
  `);
}

/** Snapshots the partitioned table and checks files, rows and order. */
async function check(client: SqlClient): Promise<void> {
  await createPartitioned(client);
  const shape = await describeTable({ client, table: "bars_1m" });
  assert.deepEqual(shape.primaryKey, ["symbol", "ts"]);
  assert.deepEqual(shape.columns.map((c) => [c.name, c.duckdbType]), [
    ["symbol", "VARCHAR"],
    ["ts", "TIMESTAMPTZ"],
    ["close", "DOUBLE"],
    ["load_id", "VARCHAR"],
  ]);

  const dataDir = await Deno.makeTempDir({ prefix: "sluice_partitioned_" });
  try {
    const snap = () =>
      snapshotTables({
        client,
        dataDir,
        dates: DATES,
        tables: [{ name: "bars_1m", dateColumn: "ts" }],
        clock: fixedClock("2026-12-04T00:00:00Z"),
      });
    const first = await snap();
    assert.deepEqual(first.tables.map((t) => [t.name, t.dates, t.rows]), [
      ["bars_1m", DATES, 10],
    ]);
    const bytes = await Promise.all(
      first.tables[0]!.files.map((f) => Deno.readFile(f)),
    );
    const second = await snap();
    assert.deepEqual(second, first);
    assert.deepEqual(
      await Promise.all(second.tables[0]!.files.map((f) => Deno.readFile(f))),
      bytes,
    );

    const instance = await DuckDBInstance.create(first.duckdbPath);
    try {
      const conn = await instance.connect();
      try {
        await conn.run(`SET file_search_path = '${dataDir}'`);
        const [count] = (await conn.runAndReadAll(
          "SELECT count(*)::INTEGER AS n FROM bars_1m",
        )).getRowObjectsJson();
        assert.deepEqual(count, { n: 10 });
        const rows: string[] = [];
        for (const [i, file] of first.tables[0]!.files.entries()) {
          const date = first.tables[0]!.dates[i];
          rows.push(
            ...(await conn.runAndReadAll(
              `SELECT symbol, strftime(ts, '%Y-%m-%dT%H:%M:%S') AS t
                 FROM read_parquet('${file}')`,
            )).getRowObjectsJson().map((r) => `${date} ${r.symbol} ${r.t}`),
          );
        }
        // Each file holds its date's rows in key order; 30 November and
        // 3 December were not touched.
        assert.deepEqual(rows, [
          "2026-10-30 AAPL 2026-10-30T14:30:00",
          "2026-10-30 AAPL 2026-10-30T23:59:00",
          "2026-10-30 MSFT 2026-10-30T14:30:00",
          "2026-10-30 MSFT 2026-10-30T23:59:00",
          "2026-11-20 AAPL 2026-11-20T14:30:00",
          "2026-11-20 MSFT 2026-11-20T14:30:00",
          "2026-12-01 AAPL 2026-12-01T00:00:00",
          "2026-12-01 MSFT 2026-12-01T00:00:00",
          "2026-12-02 AAPL 2026-12-02T10:00:00",
          "2026-12-02 MSFT 2026-12-02T10:00:00",
        ]);
      } finally {
        conn.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("snapshotTables() snapshots a range-partitioned table [pglite]", async () => {
  await check(await pglite(false));
});

Deno.test({
  name: "snapshotTables() snapshots a range-partitioned table [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const serverUrl = new URL(DATABASE_URL ?? "postgres://localhost/postgres");
    const dbName = `sluice_partitioned_${
      crypto.randomUUID().replaceAll("-", "")
    }`;
    const admin = await connectPostgres(serverUrl.href);
    await admin.exec(`CREATE DATABASE ${dbName}`);
    try {
      const dbUrl = new URL(serverUrl.href);
      dbUrl.pathname = `/${dbName}`;
      const client = await connectPostgres(dbUrl.href);
      try {
        await check(client);
      } finally {
        await client.close();
      }
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.close();
    }
  },
});
