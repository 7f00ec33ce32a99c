import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { dirname } from "node:path";
import { EtlError } from "@pipeline/errors.ts";
import { withHolder } from "./_holder.ts";
import {
  LAKE_FILES_DDL,
  lakeViewSql,
  listLakeFiles,
  openCatalog,
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
      // Views address the lake relative to the data directory.
      if (path !== ":memory:") {
        await conn.run(`SET file_search_path = '${dirname(path)}'`);
      }
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
    assert.deepEqual(listLakeFiles(lake, "t"), [
      { date: "2026-11-20", path: a },
      { date: "2026-11-21", path: b },
    ]);
    assert.deepEqual(listLakeFiles(lake, "missing"), []);
  });
});

Deno.test("lakeViewSql() reads the table's partitions by a glob under the lake root", () => {
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
        file: "lake/a/date=2026-11-20/data_0.parquet",
        rows: 5n,
        snapshot_at: mtime,
      }],
    );
  });
});

Deno.test("registerLake() replaces a catalogue another process holds open; the holder keeps the old one", async () => {
  await withDataDir(async (root, lake) => {
    const dbPath = `${root}/analytics.duckdb`;
    const first = await writePartition(lake, "a", "2026-11-20", 3);
    await registerLake({
      ...options(root, lake, ["a"]),
      written: [{ table: "a", date: "2026-11-20", path: first, rows: 3 }],
    });
    await withHolder(dbPath, async (ask) => {
      assert.deepEqual(await ask("SELECT count(*)::INT AS n FROM a"), [{
        n: 3,
      }]);
      const second = await writePartition(lake, "a", "2026-11-21", 4);
      await registerLake({
        ...options(root, lake, ["a"]),
        touched: new Map([["a", ["2026-11-21"]]]),
        written: [{ table: "a", date: "2026-11-21", path: second, rows: 4 }],
      });
      // The holder's catalogue is the old file: one file recorded.
      assert.deepEqual(
        await ask("SELECT count(*)::INT AS n FROM lake_files"),
        [{ n: 1 }],
      );
      // A new reader sees the new catalogue.
      assert.deepEqual(
        await duck(dbPath, "SELECT count(*)::INT AS n FROM lake_files"),
        [{ n: 2 }],
      );
      assert.deepEqual(
        await duck(dbPath, "SELECT count(*)::INT AS n FROM a"),
        [{ n: 7 }],
      );
    });
    // No staging file is left behind.
    const left = [];
    for (const dir of [lake, root]) {
      for await (const e of Deno.readDir(dir)) {
        if (e.name.startsWith(".")) left.push(e.name);
      }
    }
    assert.deepEqual(left, []);
  });
});

Deno.test("registerLake() rebuilds a catalogue of the old layout (absolute paths) from the lake", async () => {
  await withDataDir(async (root, lake) => {
    const dbPath = `${root}/analytics.duckdb`;
    const a = await writePartition(lake, "a", "2026-11-20", 2);
    await writePartition(lake, "b", "2026-11-20", 5);
    await duck(
      dbPath,
      `${LAKE_FILES_DDL};
       INSERT INTO lake_files VALUES ('a', DATE '2026-11-20', '${a}', 2, TIMESTAMPTZ '2026-11-01 00:00:00Z');
       CREATE VIEW a AS SELECT * FROM read_parquet('${a}');
       CREATE TABLE mine AS SELECT 1 AS x`,
    );
    // Only `a` is named, but the whole lake is registered anew.
    await registerLake(options(root, lake, ["a"]));
    assert.deepEqual(
      await duck(
        dbPath,
        "SELECT table_name, file, rows FROM lake_files ORDER BY table_name",
      ),
      [
        {
          table_name: "a",
          file: "lake/a/date=2026-11-20/data_0.parquet",
          rows: 2n,
        },
        {
          table_name: "b",
          file: "lake/b/date=2026-11-20/data_0.parquet",
          rows: 5n,
        },
      ],
    );
    assert.deepEqual(
      await duck(dbPath, "SELECT (SELECT sum(n) FROM b) AS s"),
      [{ s: 10n }],
    );
  });
});

Deno.test("registerLake() catalogues work after the data folder moved, from any working directory", async () => {
  await withDataDir(async (root, lake) => {
    const file = await writePartition(lake, "a", "2026-11-20", 4);
    await registerLake({
      ...options(root, lake, ["a"]),
      written: [{ table: "a", date: "2026-11-20", path: file, rows: 4 }],
    });
    const moved = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "sluice_moved_" }),
    );
    const cwd = Deno.cwd();
    try {
      await Deno.rename(root, `${moved}/data`);
      Deno.chdir(moved);
      const catalog = await openCatalog(`${moved}/data`);
      try {
        assert.deepEqual(
          (await catalog.conn.runAndReadAll(
            "SELECT sum(n)::INT AS s, any_value(file) AS f FROM a, lake_files",
          )).getRowObjectsJson(),
          [{ s: 6, f: "lake/a/date=2026-11-20/data_0.parquet" }],
        );
      } finally {
        catalog.close();
      }
    } finally {
      Deno.chdir(cwd);
      await Deno.rename(`${moved}/data`, root);
      await Deno.remove(moved, { recursive: true });
    }
  });
});
