import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { dirname } from "node:path";
import { fixedClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import {
  dateRangeSql,
  parseSnapshotDates,
  type SnapshotOptions,
  snapshotTables,
} from "@pipeline/snapshot/mod.ts";
import { barsDataset, lakeTables } from "@pipeline/datasets/mod.ts";
import { DATES, LOAD_ID, pglite, QUARANTINE_ROWS, seed } from "./_fixtures.ts";
import { SKIP_SERVER_TESTS } from "../_db.ts";

const CLOCK = fixedClock("2026-11-22T06:00:00Z");

/** Runs `sql` in the DuckDB database at `path` from a fresh instance. */
async function duck(path: string, sql: string) {
  const instance = await DuckDBInstance.create(path);
  try {
    const conn = await instance.connect();
    try {
      // Views address the lake relative to the data directory.
      if (path !== ":memory:") {
        await conn.run(`SET file_search_path = '${dirname(path)}'`);
      }
      const read = await conn.runAndReadAll(sql);
      return {
        rows: read.getRowObjectsJS(),
        types: Object.fromEntries(
          read.columnNames().map((n, i) => [n, String(read.columnType(i))]),
        ),
      };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Every file under `dir`, relative to it, sorted. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(`${dir}/${e.name}`, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Runs `fn` with a freshly seeded PGlite and a temporary data directory. */
async function withLake(
  fn: (client: SqlClient, dataDir: string) => Promise<void>,
): Promise<void> {
  const client = await pglite();
  const dataDir = await Deno.makeTempDir({ prefix: "sluice_snapshot_" });
  try {
    await fn(client, dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** The bar tables (as the bars dataset declares them) and the quarantine. */
const TABLES = lakeTables({ [barsDataset.name]: barsDataset });

/** {@link snapshotTables} with the fixed clock, by default of {@link TABLES}. */
function snapshot(
  options:
    & Omit<SnapshotOptions, "tables">
    & { tables?: SnapshotOptions["tables"] },
) {
  return snapshotTables({ clock: CLOCK, tables: TABLES, ...options });
}

Deno.test("parseSnapshotDates() sorts, de-duplicates and validates dates", async (t) => {
  assert.deepEqual(
    parseSnapshotDates(["2026-11-21", "2026-11-19", "2026-11-21"]),
    ["2026-11-19", "2026-11-21"],
  );
  for (
    const bad of [
      "2026-13-01",
      "2026-02-30",
      "20261120",
      "2026-11-20T00:00:00Z",
      "2026-11-20'; DROP TABLE bars_1m; --",
      "",
    ]
  ) {
    await t.step(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseSnapshotDates([bad]),
        (err: unknown) =>
          err instanceof EtlError && err.stage === "snapshot" &&
          err.message.includes("invalid date"),
      );
    });
  }
});

Deno.test("dateRangeSql() merges consecutive dates into half-open UTC ranges", () => {
  assert.equal(
    dateRangeSql("ts", [
      "2026-11-21",
      "2026-11-19",
      "2026-11-20",
      "2026-12-31",
    ]),
    `("ts" >= '2026-11-19T00:00:00Z'::timestamptz AND "ts" < '2026-11-22T00:00:00Z'::timestamptz)` +
      ` OR ("ts" >= '2026-12-31T00:00:00Z'::timestamptz AND "ts" < '2027-01-01T00:00:00Z'::timestamptz)`,
  );
  assert.equal(dateRangeSql("ts", []), "false");
});

Deno.test("snapshotTables() writes one Parquet file per table and UTC date", async () => {
  await withLake(async (client, dataDir) => {
    const result = await snapshot({ client, dataDir, dates: DATES });
    const root = await Deno.realPath(dataDir);
    assert.equal(result.duckdbPath, `${root}/analytics.duckdb`);
    assert.deepEqual(result.tables, [
      {
        name: "bars_1m",
        dates: DATES,
        rows: 4,
        files: DATES.map((d) =>
          `${root}/lake/bars_1m/date=${d}/data_0.parquet`
        ),
        framed: 0,
      },
      {
        name: "bars_5m",
        dates: ["2026-11-20"],
        rows: 1,
        files: [`${root}/lake/bars_5m/date=2026-11-20/data_0.parquet`],
        framed: 0,
      },
      { name: "bars_1h", dates: [], rows: 0, files: [], framed: 0 },
      { name: "bars_1d", dates: [], rows: 0, files: [], framed: 0 },
      {
        name: "quarantine",
        dates: ["2026-11-20", "2026-11-21"],
        rows: 2,
        files: ["2026-11-20", "2026-11-21"].map((d) =>
          `${root}/lake/quarantine/date=${d}/data_0.parquet`
        ),
        framed: 0,
      },
    ]);
    assert.deepEqual(await listFiles(`${dataDir}/lake`), [
      "bars_1m/date=2026-11-19/data_0.parquet",
      "bars_1m/date=2026-11-20/data_0.parquet",
      "bars_1m/date=2026-11-21/data_0.parquet",
      "bars_5m/date=2026-11-20/data_0.parquet",
      "quarantine/date=2026-11-20/data_0.parquet",
      "quarantine/date=2026-11-21/data_0.parquet",
    ]);
  });
});

Deno.test("snapshotTables() registers views that read back values and types", async () => {
  await withLake(async (client, dataDir) => {
    const { duckdbPath } = await snapshot({ client, dataDir, dates: DATES });

    const summary = await duck(
      duckdbPath,
      "SELECT symbol, min(ts) AS first, count(*) AS n FROM bars_1m GROUP BY 1 ORDER BY 1",
    );
    assert.equal(summary.types.first, "TIMESTAMP WITH TIME ZONE");
    assert.deepEqual(summary.rows, [
      { symbol: "AAPL", first: new Date("2026-11-19T23:59:00Z"), n: 2n },
      { symbol: "MSFT", first: new Date("2026-11-20T14:31:00Z"), n: 2n },
    ]);

    const bars = await duck(
      duckdbPath,
      `SELECT *, epoch_us(ts) AS ts_us FROM bars_1m ORDER BY symbol, ts`,
    );
    assert.deepEqual(bars.types, {
      symbol: "VARCHAR",
      ts: "TIMESTAMP WITH TIME ZONE",
      open: "DOUBLE",
      high: "DOUBLE",
      low: "DOUBLE",
      close: "DOUBLE",
      volume: "DOUBLE",
      ret: "DOUBLE",
      ma_close_20: "DOUBLE",
      ma_volume_20: "DOUBLE",
      vwap: "DOUBLE",
      load_id: "VARCHAR",
      date: "DATE",
      ts_us: "BIGINT",
    });
    const aapl = bars.rows[1];
    assert.equal(
      aapl?.ts_us,
      BigInt(Date.parse("2026-11-20T14:31:00Z")) * 1000n + 123456n,
    );
    assert.equal(aapl?.ret, 0.1162790697674419);
    assert.equal(aapl?.load_id, LOAD_ID);
    assert.deepEqual(bars.rows[0]?.ret, null);
    assert.deepEqual(
      bars.rows.map((
        r,
      ) => [r.symbol, (r.date as Date).toISOString().slice(0, 10)]),
      [
        ["AAPL", "2026-11-19"],
        ["AAPL", "2026-11-20"],
        ["MSFT", "2026-11-20"],
        ["MSFT", "2026-11-21"],
      ],
    );

    const fiveMin = await duck(
      duckdbPath,
      "SELECT bar_count, vwap FROM bars_5m",
    );
    assert.equal(fiveMin.types.bar_count, "INTEGER");
    assert.deepEqual(fiveMin.rows, [{ bar_count: 2, vwap: 11.8 }]);

    const views = await duck(
      duckdbPath,
      "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1",
    );
    assert.deepEqual(views.rows.map((r) => r.view_name), [
      "bars_1m",
      "bars_5m",
      "latest_bars", // a convenience view over bars_1m
      "quarantine",
    ]);

    const files = await duck(
      duckdbPath,
      `SELECT table_name, strftime(date, '%Y-%m-%d') AS date, rows, snapshot_at,
              file LIKE 'lake/' || table_name || '/date=%/data_0.parquet' AS relative
         FROM lake_files ORDER BY table_name, date`,
    );
    assert.deepEqual(
      files.rows.map((r) => [r.table_name, r.date, r.rows, r.relative]),
      [
        ["bars_1m", "2026-11-19", 1n, true],
        ["bars_1m", "2026-11-20", 2n, true],
        ["bars_1m", "2026-11-21", 1n, true],
        ["bars_5m", "2026-11-20", 1n, true],
        ["quarantine", "2026-11-20", 1n, true],
        ["quarantine", "2026-11-21", 1n, true],
      ],
    );
    assert.deepEqual(files.rows[0]?.snapshot_at, CLOCK.now());
  });
});

Deno.test("snapshotTables() snapshots the quarantine by quarantined_at, text intact", async () => {
  await withLake(async (client, dataDir) => {
    const { duckdbPath } = await snapshot({
      client,
      dataDir,
      dates: ["2026-11-20"],
      tables: [{ name: "quarantine", dateColumn: "quarantined_at" }],
    });
    const q = await duck(
      duckdbPath,
      "SELECT id, record, ts, reason, raw, quarantined_at, date FROM quarantine",
    );
    assert.equal(q.types.id, "BIGINT");
    assert.equal(q.types.quarantined_at, "TIMESTAMP WITH TIME ZONE");
    assert.deepEqual(q.rows, [{
      id: 1n,
      record: "input.csv:17",
      ts: null,
      reason: 'missing "ts", expected ISO-8601',
      raw: QUARANTINE_ROWS[0]?.raw,
      quarantined_at: new Date("2026-11-20T09:00:00Z"),
      date: new Date("2026-11-20T00:00:00Z"),
    }]);

    await snapshot({
      client,
      dataDir,
      dates: ["2026-11-21"],
      tables: [{ name: "quarantine", dateColumn: "quarantined_at" }],
    });
    const empty = await duck(
      duckdbPath,
      "SELECT ts, raw FROM quarantine WHERE record = 'input.csv:18'",
    );
    assert.deepEqual(empty.rows, [{ ts: "", raw: "" }]);
  });
});

Deno.test("snapshotTables() reruns idempotently: same files, same bytes, same rows", async () => {
  await withLake(async (client, dataDir) => {
    const first = await snapshot({ client, dataDir, dates: DATES });
    const bytes = await Promise.all(
      first.tables.flatMap((t) => t.files).map((f) => Deno.readFile(f)),
    );
    const listing = await listFiles(`${dataDir}/lake`);

    const second = await snapshot({ client, dataDir, dates: DATES });
    assert.deepEqual(second, first);
    assert.deepEqual(await listFiles(`${dataDir}/lake`), listing);
    assert.deepEqual(
      await Promise.all(
        second.tables.flatMap((t) => t.files).map((f) => Deno.readFile(f)),
      ),
      bytes,
    );
    const counts = await duck(
      second.duckdbPath,
      `SELECT (SELECT count(*) FROM bars_1m) AS bars,
              (SELECT count(*) FROM quarantine) AS quarantine,
              (SELECT count(*) FROM lake_files) AS files`,
    );
    assert.deepEqual(counts.rows, [{ bars: 4n, quarantine: 2n, files: 6n }]);
  });
});

Deno.test("snapshotTables() replaces only the touched dates", async () => {
  await withLake(async (client, dataDir) => {
    await snapshot({ client, dataDir, dates: DATES });
    await client.exec(
      `UPDATE bars_1m SET close = 99 WHERE ts >= '2026-11-20' AND ts < '2026-11-21';
       UPDATE bars_1m SET close = 77 WHERE ts < '2026-11-20'`,
    );
    const result = await snapshot({ client, dataDir, dates: ["2026-11-20"] });
    assert.deepEqual(result.tables[0]?.dates, ["2026-11-20"]);
    const closes = await duck(
      result.duckdbPath,
      "SELECT strftime(date, '%Y-%m-%d') AS d, list(close ORDER BY close) AS closes FROM bars_1m GROUP BY 1 ORDER BY 1",
    );
    assert.deepEqual(closes.rows, [
      { d: "2026-11-19", closes: [10.75] },
      { d: "2026-11-20", closes: [99, 99] },
      { d: "2026-11-21", closes: [401.25] },
    ]);
  });
});

Deno.test("snapshotTables() removes the directory of a date whose rows vanished", async () => {
  await withLake(async (client, dataDir) => {
    const { duckdbPath } = await snapshot({ client, dataDir, dates: DATES });
    await client.exec(
      `DELETE FROM bars_1m WHERE ts < '2026-11-20'; DELETE FROM bars_5m`,
    );
    const result = await snapshot({
      client,
      dataDir,
      dates: ["2026-11-19", "2026-11-20"],
    });
    assert.deepEqual(result.tables[0]?.dates, ["2026-11-20"]);
    assert.deepEqual(result.tables[1], {
      name: "bars_5m",
      dates: [],
      rows: 0,
      files: [],
      framed: 0,
    });
    assert.deepEqual(await listFiles(`${dataDir}/lake`), [
      "bars_1m/date=2026-11-20/data_0.parquet",
      "bars_1m/date=2026-11-21/data_0.parquet",
      "quarantine/date=2026-11-20/data_0.parquet",
      "quarantine/date=2026-11-21/data_0.parquet",
    ]);
    const left = await duck(
      duckdbPath,
      `SELECT (SELECT count(*) FROM bars_1m) AS bars,
              (SELECT count(*) FROM duckdb_views() WHERE view_name = 'bars_5m') AS view_5m,
              (SELECT list(table_name || ' ' || strftime(date, '%Y-%m-%d') ORDER BY table_name, date)
                 FROM lake_files) AS files`,
    );
    assert.deepEqual(left.rows, [{
      bars: 3n,
      view_5m: 0n,
      files: [
        "bars_1m 2026-11-20",
        "bars_1m 2026-11-21",
        "quarantine 2026-11-20",
        "quarantine 2026-11-21",
      ],
    }]);
  });
});

Deno.test("snapshotTables() exports timestamps in UTC under any DateStyle and TimeZone", async () => {
  await withLake(async (client, dataDir) => {
    await client.exec(
      "SET DateStyle = 'SQL, DMY'; SET TimeZone = 'America/New_York'",
    );
    const result = await snapshot({
      client,
      dataDir,
      dates: ["2026-11-21"],
      tables: [{ name: "bars_1m", dateColumn: "ts" }],
    });
    assert.equal(result.tables[0]?.rows, 1);
    const row = await duck(result.duckdbPath, "SELECT ts FROM bars_1m");
    assert.deepEqual(row.rows, [{ ts: new Date("2026-11-21T04:30:00Z") }]);
  });
});

Deno.test("snapshotTables() rejects invalid input before touching the lake", async (t) => {
  await withLake(async (client, dataDir) => {
    const cases: [string, Partial<SnapshotOptions>, RegExp][] = [
      ["a malformed date", { dates: ["2026-11-20 00:00"] }, /invalid date/],
      ["an impossible date", { dates: ["2026-02-30"] }, /invalid date/],
      [
        "a table name with SQL in it",
        { tables: [{ name: "bars_1m; DROP TABLE bars_1m", dateColumn: "ts" }] },
        /invalid table name/,
      ],
      [
        "an upper-case column",
        { tables: [{ name: "bars_1m", dateColumn: "TS" }] },
        /invalid column name/,
      ],
      [
        "a missing table",
        { tables: [{ name: "bars_1w", dateColumn: "ts" }] },
        /table bars_1w does not exist/,
      ],
      [
        "a date column that is not timestamptz",
        { tables: [{ name: "bars_1m", dateColumn: "symbol" }] },
        /column symbol is text, not timestamp with time zone/,
      ],
      [
        "a table listed twice",
        {
          tables: [
            { name: "bars_1m", dateColumn: "ts" },
            { name: "bars_1m", dateColumn: "ts" },
          ],
        },
        /listed twice/,
      ],
    ];
    for (const [name, options, message] of cases) {
      await t.step(`rejects ${name}`, async () => {
        await assert.rejects(
          snapshot({ client, dataDir, dates: ["2026-11-20"], ...options }),
          (err: unknown) =>
            err instanceof EtlError && err.stage === "snapshot" &&
            !err.transient && message.test(err.message),
        );
      });
    }
    assert.deepEqual(await listFiles(dataDir), []);
  });
});

Deno.test("snapshotTables() carries a column added later into the view", async () => {
  await withLake(async (client, dataDir) => {
    await snapshot({ client, dataDir, dates: DATES });
    await client.exec(
      `ALTER TABLE bars_1m ADD COLUMN trades integer;
       UPDATE bars_1m SET trades = 3 WHERE ts >= '2026-11-21'`,
    );
    const { duckdbPath } = await snapshot({
      client,
      dataDir,
      dates: ["2026-11-21"],
    });
    const rows = await duck(
      duckdbPath,
      "SELECT strftime(date, '%Y-%m-%d') AS d, trades FROM bars_1m ORDER BY ts",
    );
    assert.equal(rows.types.trades, "INTEGER");
    assert.deepEqual(rows.rows, [
      { d: "2026-11-19", trades: null },
      { d: "2026-11-20", trades: null },
      { d: "2026-11-20", trades: null },
      { d: "2026-11-21", trades: 3 },
    ]);
  });
});

Deno.test("snapshotTables() keeps the previous files when a table cannot be written", async () => {
  await withLake(async (client, dataDir) => {
    const first = await snapshot({ client, dataDir, dates: DATES });
    const files = first.tables[0]?.files ?? [];
    const before = await Promise.all(files.map((f) => Deno.readFile(f)));
    // numeric(3,1) maps to DECIMAL(3,1), which cannot hold NaN: DuckDB fails
    // to read the exported CSV after Postgres exported it.
    await client.exec(
      `ALTER TABLE bars_1m ADD COLUMN score numeric(3, 1);
       UPDATE bars_1m SET score = 'NaN', close = 1`,
    );
    await assert.rejects(
      snapshot({ client, dataDir, dates: DATES }),
      (err: unknown) =>
        err instanceof EtlError && err.stage === "snapshot" &&
        err.partition === `bars_1m date=${DATES.join(",")}` &&
        !err.transient && err.cause instanceof Error,
    );
    assert.deepEqual(
      await Promise.all(files.map((f) => Deno.readFile(f))),
      before,
    );
    assert.deepEqual(
      (await listFiles(`${dataDir}/lake`)).filter((f) => f.startsWith(".")),
      [],
    );
  });
});

const DATABASE_URL = Deno.env.get("DATABASE_URL");

Deno.test({
  name: "snapshotTables() snapshots from a Postgres server",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const serverUrl = new URL(DATABASE_URL ?? "postgres://localhost/postgres");
    const dbName = `sluice_snapshot_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = await connectPostgres(serverUrl.href);
    await admin.exec(`CREATE DATABASE ${dbName}`);
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_snapshot_pg_" });
    try {
      const dbUrl = new URL(serverUrl.href);
      dbUrl.pathname = `/${dbName}`;
      const client = await connectPostgres(dbUrl.href);
      try {
        await seed(client);
        await client.exec("SET TimeZone = 'Asia/Kolkata'");
        const result = await snapshot({ client, dataDir, dates: DATES });
        assert.deepEqual(
          result.tables.map((t) => [t.name, t.dates, t.rows]),
          [
            ["bars_1m", DATES, 4],
            ["bars_5m", ["2026-11-20"], 1],
            ["bars_1h", [], 0],
            ["bars_1d", [], 0],
            ["quarantine", ["2026-11-20", "2026-11-21"], 2],
          ],
        );
        const summary = await duck(
          result.duckdbPath,
          "SELECT symbol, min(ts) AS first, count(*) AS n FROM bars_1m GROUP BY 1 ORDER BY 1",
        );
        assert.deepEqual(summary.rows, [
          { symbol: "AAPL", first: new Date("2026-11-19T23:59:00Z"), n: 2n },
          { symbol: "MSFT", first: new Date("2026-11-20T14:31:00Z"), n: 2n },
        ]);
      } finally {
        await client.close();
      }
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("snapshotTables() exports many dates in chunks, one file per date", async () => {
  const client = await pglite(false);
  const dataDir = await Deno.makeTempDir({ prefix: "sluice_snapshot_" });
  try {
    // 40 dates (4 chunks of 10), two symbols, inserted out of key order.
    await client.exec(`
      CREATE TABLE ticks (
        symbol text NOT NULL, ts timestamptz NOT NULL, v numeric(3, 1),
        PRIMARY KEY (symbol, ts));
      INSERT INTO ticks
      SELECT s, TIMESTAMPTZ '2026-01-01T12:00:00Z' + d * INTERVAL '1 day', d % 10
        FROM generate_series(39, 0, -1) d, unnest(ARRAY['MSFT', 'AAPL']) s`);
    const dates = Array.from(
      { length: 40 },
      (_, d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10),
    );
    const tables = [{ name: "ticks", dateColumn: "ts" }];
    const first = await snapshot({ client, dataDir, dates, tables });
    assert.deepEqual(first.tables[0]?.dates, dates);
    assert.equal(first.tables[0]?.rows, 80);
    assert.deepEqual(
      await listFiles(`${dataDir}/lake`),
      dates.map((d) => `ticks/date=${d}/data_0.parquet`),
    );
    const bytes = await Promise.all(
      first.tables[0]!.files.map((f) => Deno.readFile(f)),
    );
    const rows = await duck(
      first.duckdbPath,
      `SELECT list(symbol) AS symbols
         FROM read_parquet('${first.tables[0]!.files[17]}')`,
    );
    assert.deepEqual(rows.rows, [{ symbols: ["AAPL", "MSFT"] }]);

    // A value DuckDB cannot read on the 35th date fails its chunk (the last
    // ten dates): the error names those dates, and no file changes.
    await client.exec(
      `UPDATE ticks SET v = 'NaN' WHERE ts = '2026-02-04T12:00:00Z';
       UPDATE ticks SET v = 9.9 WHERE ts < '2026-01-05'`,
    );
    await assert.rejects(
      snapshot({ client, dataDir, dates, tables }),
      (err: unknown) =>
        err instanceof EtlError && err.stage === "snapshot" &&
        err.partition === `ticks date=${dates.slice(30).join(",")}`,
    );
    assert.deepEqual(
      await Promise.all(first.tables[0]!.files.map((f) => Deno.readFile(f))),
      bytes,
    );
    assert.deepEqual(
      await listFiles(`${dataDir}/lake`),
      dates.map((d) => `ticks/date=${d}/data_0.parquet`),
    );

    // Postgres failing on the 15th date (second chunk) while DuckDB writes
    // the first chunk: the error names the second chunk, and no file changes.
    await client.exec(
      `UPDATE ticks SET v = 1;
       CREATE VIEW ticks_inv AS SELECT symbol, ts, 1 / v AS inv FROM ticks`,
    );
    const inv = [{ name: "ticks_inv", dateColumn: "ts" }];
    const good = await snapshot({ client, dataDir, dates, tables: inv });
    assert.equal(good.tables[0]?.rows, 80);
    const invBytes = await Promise.all(
      good.tables[0]!.files.map((f) => Deno.readFile(f)),
    );
    await client.exec(
      "UPDATE ticks SET v = 0 WHERE ts = '2026-01-15T12:00:00Z'",
    );
    await assert.rejects(
      snapshot({ client, dataDir, dates, tables: inv }),
      (err: unknown) =>
        err instanceof EtlError && err.stage === "snapshot" &&
        err.partition === `ticks_inv date=${dates.slice(10, 20).join(",")}` &&
        err.message.includes("cannot export ticks_inv from Postgres"),
    );
    assert.deepEqual(
      await Promise.all(good.tables[0]!.files.map((f) => Deno.readFile(f))),
      invBytes,
    );
    assert.equal(
      (await listFiles(`${dataDir}/lake`)).filter((f) => f.startsWith("."))
        .length,
      0,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
