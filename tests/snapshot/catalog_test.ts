import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { EtlError } from "@pipeline/errors.ts";
import {
  lakeViewSql,
  listLakeFiles,
  registerLake,
  type RegisterLakeOptions,
} from "@pipeline/snapshot/mod.ts";

const SNAPSHOT_AT = new Date("2026-11-22T06:00:00Z");

/** Runs statements (or one query) in a fresh DuckDB instance at `path`. */
async function duck(path: string, sql: string) {
  const instance = await DuckDBInstance.create(path);
  try {
    const conn = await instance.connect();
    try {
      return (await conn.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Writes `rows` rows of (n INTEGER) as `<lake>/<table>/date=<date>/data_0.parquet`. */
async function writePartition(
  lake: string,
  table: string,
  date: string,
  rows: number,
): Promise<string> {
  const dir = `${lake}/${table}/date=${date}`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/data_0.parquet`;
  await duck(
    ":memory:",
    `COPY (SELECT range::INTEGER AS n FROM range(${rows})) TO '${path}' (FORMAT parquet)`,
  );
  return path;
}

/** Runs `fn` with an absolute temporary data directory holding `lake/`. */
async function withDataDir(
  fn: (root: string, lake: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "sluice_catalog_" }),
  );
  await Deno.mkdir(`${root}/lake`);
  try {
    await fn(root, `${root}/lake`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** {@link registerLake} options with nothing touched or written. */
function options(
  root: string,
  lake: string,
  tables: string[],
): RegisterLakeOptions {
  return {
    duckdbPath: `${root}/analytics.duckdb`,
    lakeDir: lake,
    tables,
    touched: new Map(),
    written: [],
    snapshotAt: SNAPSHOT_AT,
  };
}

Deno.test("listLakeFiles() lists date=YYYY-MM-DD/*.parquet only, sorted", async () => {
  await withDataDir(async (_root, lake) => {
    const b = await writePartition(lake, "t", "2026-11-21", 1);
    const a = await writePartition(lake, "t", "2026-11-20", 1);
    await Deno.mkdir(`${lake}/t/tmp`);
    await Deno.writeTextFile(`${lake}/t/tmp/x.parquet`, "");
    await Deno.writeTextFile(`${lake}/t/date=2026-11-20/notes.txt`, "");
    assert.deepEqual(await listLakeFiles(lake, "t"), [
      { date: "2026-11-20", path: a },
      { date: "2026-11-21", path: b },
    ]);
    assert.deepEqual(await listLakeFiles(lake, "missing"), []);
  });
});

Deno.test("lakeViewSql() reads the table's partitions by absolute glob", () => {
  assert.equal(
    lakeViewSql("/data/o'brien/lake", "bars_1m"),
    "SELECT * FROM read_parquet('/data/o''brien/lake/bars_1m/date=*/*.parquet', " +
      "hive_partitioning = true, hive_types = {'date': DATE}, union_by_name = true)",
  );
  assert.throws(() => lakeViewSql("/lake", "Bars"), EtlError);
});

Deno.test("registerLake() creates views for tables with files and drops the others", async () => {
  await withDataDir(async (root, lake) => {
    const file = await writePartition(lake, "a", "2026-11-20", 3);
    await registerLake({
      ...options(root, lake, ["a", "b"]),
      touched: new Map([["a", ["2026-11-20"]]]),
      written: [{ table: "a", date: "2026-11-20", path: file, rows: 3 }],
    });
    const dbPath = `${root}/analytics.duckdb`;
    assert.deepEqual(
      await duck(
        dbPath,
        "SELECT sum(n) AS s, min(date) AS d, count(*) AS c FROM a",
      ),
      [{ s: 3n, d: new Date("2026-11-20T00:00:00Z"), c: 3n }],
    );
    assert.deepEqual(
      await duck(
        dbPath,
        "SELECT view_name FROM duckdb_views() WHERE NOT internal",
      ),
      [{ view_name: "a" }],
    );

    await Deno.remove(`${lake}/a`, { recursive: true });
    await registerLake(options(root, lake, ["a"]));
    assert.deepEqual(
      await duck(
        dbPath,
        `SELECT (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views,
                (SELECT count(*) FROM lake_files) AS files`,
      ),
      [{ views: 0n, files: 0n }],
    );
  });
});

Deno.test("registerLake() rebuilds lake_files from Parquet footers when the database was lost", async () => {
  await withDataDir(async (root, lake) => {
    const path = await writePartition(lake, "a", "2026-11-20", 5);
    const mtime = (await Deno.stat(path)).mtime;
    await registerLake(options(root, lake, ["a"]));
    assert.deepEqual(
      await duck(
        `${root}/analytics.duckdb`,
        "SELECT table_name, date, file, rows, snapshot_at FROM lake_files",
      ),
      [{
        table_name: "a",
        date: new Date("2026-11-20T00:00:00Z"),
        file: path,
        rows: 5n,
        snapshot_at: mtime,
      }],
    );
  });
});

Deno.test("registerLake() reports a database locked by another process as transient", async () => {
  await withDataDir(async (root, lake) => {
    const dbPath = `${root}/analytics.duckdb`;
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        `import { DuckDBInstance } from "@duckdb/node-api";
         const db = await DuckDBInstance.create(${JSON.stringify(dbPath)});
         console.log("locked");
         for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
         db.closeSync();`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = holder.stdout.getReader();
    try {
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /locked/);
      await assert.rejects(
        registerLake(options(root, lake, ["a"])),
        (err: unknown) =>
          err instanceof EtlError && err.stage === "snapshot" &&
          err.transient && err.message.includes(dbPath),
      );
    } finally {
      reader.releaseLock();
      await holder.stdin.close();
      await holder.stdout.cancel();
      await holder.status;
    }
  });
});
