/**
 * Lake partitions written from a load's frames: only partitions that held
 * no rows before a load of entities new to the warehouse, only while the
 * debt still names that load, and then the same rows and column types a
 * read-back from the warehouse writes.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { dbTest, type TestDatabase } from "../_db.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { loadBatch } from "@pipeline/datasets/load_batch.ts";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { newRunSummary } from "@pipeline/runner/mod.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { payLakeDebt } from "@pipeline/snapshot/pay.ts";
import { snapshotTables } from "@pipeline/snapshot/lake.ts";
import { sqlString } from "@pipeline/snapshot/catalog.ts";
import pl from "nodejs-polars";
import {
  emptyLakePartitions,
  frameColumns,
  isSortedBy,
  writeFrame,
} from "@pipeline/snapshot/lake_frames.ts";
import type { TableShape } from "@pipeline/snapshot/columns.ts";
import { periodsOf } from "@pipeline/snapshot/granularity.ts";
import { BARS_LAKE_TABLES } from "@pipeline/datasets/bars/mod.ts";
import { assertLakeEqualsWarehouse } from "./_lake_equal.ts";

const clock = fixedClock("2026-11-20T21:30:00Z");
const TABLES = lakeTables(DATASETS);

/** Loads `sessions` sessions of `symbols` (the last ones before the clock). */
async function load(
  db: TestDatabase,
  symbols: string[],
  options: { sessions?: number; seed?: number } = {},
) {
  const summary = newRunSummary({
    runId: crypto.randomUUID(),
    pipeline: "test",
    source: "synthetic",
    trigger: "manual",
    startedAt: clock.now(),
  });
  await recordRunStart(db.client, summary);
  const raw = syntheticBars({
    clock,
    symbols,
    sessions: options.sessions ?? 2,
    seed: options.seed ?? 7,
    defectRate: 0,
  });
  const { valid, quarantine } = barsDataset.validate(raw, {
    now: clock.now(),
  });
  const transformed = barsDataset.transform(valid, { now: clock.now() });
  return await loadBatch(db.client, {
    dataset: barsDataset,
    batch: transformed.batch,
    quarantine,
    loadId: crypto.randomUUID(),
    runId: summary.run_id,
    source: "synthetic",
    now: clock.now(),
    wallClock: clock,
    dates: transformed.dates,
    lakeFrames: true,
  });
}

/** Column names and types, and rows in file order, of a Parquet file. */
async function parquet(path: string) {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const duck = await instance.connect();
    try {
      const from = `read_parquet(${
        sqlString(path)
      }, hive_partitioning = false)`;
      const schema =
        (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`))
          .getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
      const rows = (await duck.runAndReadAll(`SELECT * FROM ${from}`))
        .getRowsJson();
      return { schema, rows };
    } finally {
      duck.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The lake's files of `dataDir`, relative to the lake. */
async function lakeFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const t of Deno.readDir(`${dataDir}/lake`)) {
    if (!t.isDirectory || t.name.startsWith(".")) continue;
    for await (const p of Deno.readDir(`${dataDir}/lake/${t.name}`)) {
      for await (
        const f of Deno.readDir(`${dataDir}/lake/${t.name}/${p.name}`)
      ) {
        out.push(`${t.name}/${p.name}/${f.name}`);
      }
    }
  }
  return out.sort();
}

dbTest(
  "a first load's lake comes from its frames: the same files, rows in order and column types as read back from the warehouse",
  async (db) => {
    const loaded = await load(db, ["AAPL", "MSFT"]);
    const frames = loaded.lakeFrames;
    assert.ok(frames, "a load into an empty warehouse hands its frames on");
    assert.deepEqual(
      [...frames.tables.keys()].sort(),
      ["bars_1d", "bars_1h", "bars_1m", "bars_5m"],
    );
    // Two sessions: two UTC days, one month of daily bars.
    assert.deepEqual(
      [...frames.tables.get("bars_1m")!.partitions].sort(),
      ["date=2026-11-19", "date=2026-11-20"],
    );
    assert.deepEqual([...frames.tables.get("bars_1d")!.partitions], [
      "month=2026-11",
    ]);

    const fromFrames = await Deno.makeTempDir();
    const paid = await payLakeDebt(db.client, {
      dataDir: fromFrames,
      tables: TABLES,
      clock,
      frames,
    });
    const framed = Object.fromEntries(
      paid.tables.map((t) => [t.name, t.framed]),
    );
    assert.deepEqual(framed, {
      bars_1m: 2,
      bars_5m: 2,
      bars_1h: 2,
      bars_1d: 1,
    });
    await assertLakeEqualsWarehouse(db.client, fromFrames);

    const readBack = await Deno.makeTempDir();
    await snapshotTables({
      client: db.client,
      dataDir: readBack,
      dates: ["2026-11-19", "2026-11-20"],
      tables: BARS_LAKE_TABLES,
      clock,
    });
    const files = await lakeFiles(readBack);
    assert.equal(files.length, 7);
    assert.deepEqual(
      (await lakeFiles(fromFrames)).filter((f) => !f.startsWith("quarantine")),
      files,
    );
    for (const f of files) {
      const a = await parquet(`${fromFrames}/lake/${f}`);
      const b = await parquet(`${readBack}/lake/${f}`);
      assert.deepEqual(a.schema, b.schema, `column types of ${f}`);
      assert.deepEqual(a.rows, b.rows, `rows of ${f}`);
    }
  },
);

dbTest(
  "partitions that held rows, or a load with known entities, are read back from the warehouse",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const first = await load(db, ["AAPL"], { sessions: 1 });
    assert.ok(first.lakeFrames);
    await payLakeDebt(db.client, {
      dataDir,
      tables: TABLES,
      clock,
      frames: first.lakeFrames,
    });
    // A new symbol on a day that holds AAPL's bars, and a day before it.
    const second = await load(db, ["MSFT"], { sessions: 2 });
    const partitions = second.lakeFrames
      ? [...second.lakeFrames.tables.get("bars_1m")!.partitions]
      : [];
    assert.deepEqual(partitions, ["date=2026-11-19"]);
    let paid = await payLakeDebt(db.client, {
      dataDir,
      tables: TABLES,
      clock,
      frames: second.lakeFrames,
    });
    const framed = (name: string) =>
      paid.tables.find((t) => t.name === name)?.framed;
    assert.equal(framed("bars_1m"), 1);
    // The month of daily bars held AAPL's day.
    assert.equal(framed("bars_1d"), 0);
    await assertLakeEqualsWarehouse(db.client, dataDir);

    // AAPL again, other values: nothing is new.
    const third = await load(db, ["AAPL"], { sessions: 2, seed: 8 });
    assert.equal(third.lakeFrames, null);
    paid = await payLakeDebt(db.client, {
      dataDir,
      tables: TABLES,
      clock,
      frames: third.lakeFrames,
    });
    assert.equal(framed("bars_1m"), 0);
    await assertLakeEqualsWarehouse(db.client, dataDir);
  },
);

dbTest(
  "a load's frames are not used once a later load dirtied the same partitions",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const first = await load(db, ["AAPL"], { sessions: 1 });
    assert.ok(first.lakeFrames);
    // Killed before its snapshot; the next load adds a symbol to the day.
    await load(db, ["MSFT"], { sessions: 1 });
    const paid = await payLakeDebt(db.client, {
      dataDir,
      tables: TABLES,
      clock,
      frames: first.lakeFrames,
    });
    assert.ok(paid.tables.every((t) => t.framed === 0));
    const bars = paid.tables.find((t) => t.name === "bars_1m")!;
    assert.equal(bars.rows, 2 * 390);
    await assertLakeEqualsWarehouse(db.client, dataDir);
  },
);

dbTest(
  "emptyLakePartitions() names the partitions of the dates that hold no rows",
  async (db) => {
    await load(db, ["AAPL"], { sessions: 1 });
    const empty = await db.client.transaction((tx) =>
      emptyLakePartitions(tx, BARS_LAKE_TABLES, [
        "2026-11-19",
        "2026-11-20",
        "2026-12-01",
      ])
    );
    assert.deepEqual([...empty.get("bars_1m")!], [
      "date=2026-11-19",
      "date=2026-12-01",
    ]);
    assert.deepEqual([...empty.get("bars_1d")!], ["month=2026-12"]);
  },
);

Deno.test("isSortedBy: strict key order over several columns, kept per frame", () => {
  const frame = pl.DataFrame({
    s: ["a", "a", "b", "b", "c"],
    t: [2, 5, 1, 3, 0],
  });
  assert.equal(isSortedBy(frame, ["s", "t"]), true);
  assert.equal(isSortedBy(frame, ["s"]), false, "a repeated key is no order");
  assert.equal(isSortedBy(frame, ["t"]), false);
  assert.equal(isSortedBy(frame.reverse(), ["s", "t"]), false);
  const tie = pl.DataFrame({ s: ["a", "a"], t: [1, 1] });
  assert.equal(isSortedBy(tie, ["s", "t"]), false);
  const late = pl.DataFrame({ s: ["a", "b", "b"], t: [9, 4, 2] });
  assert.equal(isSortedBy(late, ["s", "t"]), false, "the last pair decides");
  assert.equal(isSortedBy(frame, ["s", "missing"]), false);
  assert.equal(isSortedBy(frame.head(0), ["s", "t"]), false);
});

Deno.test("writeFrame: the same files from a frame in key order and from the same rows shuffled", async () => {
  const DAY = 86_400_000;
  const start = Date.parse("2026-10-30T14:30:00Z");
  const symbol: string[] = [], ts: number[] = [], close: number[] = [];
  for (const s of ["AAPL", "MSFT", "ZM"]) {
    for (let d = 0; d < 4; d++) {
      for (let m = 0; m < 5; m++) {
        symbol.push(s);
        ts.push(start + d * DAY + m * 60_000);
        close.push(ts.length * 1.5);
      }
    }
  }
  const sorted = pl.DataFrame({ symbol, ts, close }).withColumns(
    pl.col("ts").cast(pl.Datetime("ms", "UTC")),
  );
  // 37 is prime to the 60 rows: a permutation.
  const shuffled = sorted
    .withColumns(pl.Series("k", symbol.map((_, i) => (i * 37) % symbol.length)))
    .sort("k").drop("k");
  assert.equal(isSortedBy(sorted, ["symbol", "ts"]), true);
  assert.equal(isSortedBy(shuffled, ["symbol", "ts"]), false);
  const shape: TableShape = {
    name: "bars_1m",
    primaryKey: ["symbol", "ts"],
    columns: [
      { name: "symbol", pgType: "text", duckdbType: "VARCHAR", exportSql: "" },
      {
        name: "ts",
        pgType: "timestamp with time zone",
        duckdbType: "TIMESTAMPTZ",
        exportSql: "",
      },
      {
        name: "close",
        pgType: "double precision",
        duckdbType: "DOUBLE",
        exportSql: "",
      },
    ],
  };
  const written: Record<string, unknown[][]> = {};
  for (
    const [name, frame] of [["sorted", sorted], ["shuffled", shuffled]] as const
  ) {
    for (const granularity of ["day", "month"] as const) {
      const table = { name: "bars_1m", dateColumn: "ts", granularity };
      const outDir = await Deno.makeTempDir();
      // Three of the four days: the day layout leaves out 2026-11-01.
      const periods = periodsOf(
        ["2026-10-30", "2026-10-31", "2026-11-02"],
        granularity,
      );
      const files = await writeFrame({
        frame,
        columns: frameColumns(frame, shape, "")!,
        shape,
        table,
        periods,
        outDir,
      });
      written[`${name} ${granularity}`] = files.map((f) => {
        const rows = pl.readParquet(f.path);
        return [
          f.path.slice(outDir.length),
          f.rows,
          rows.getColumn("symbol").toArray(),
          rows.getColumn("ts").cast(pl.Int64).toArray().map(Number),
          rows.getColumn("close").toArray(),
        ];
      });
    }
  }
  const day = written["sorted day"]!;
  assert.deepEqual(day.map((f) => [f[0], f[1]]), [
    ["/date=2026-10-30/data_0.parquet", 15],
    ["/date=2026-10-31/data_0.parquet", 15],
    ["/date=2026-11-02/data_0.parquet", 15],
  ]);
  // Key order in each file: every symbol's minutes in turn.
  assert.deepEqual(day[0]![2], [
    ...Array(5).fill("AAPL"),
    ...Array(5).fill("MSFT"),
    ...Array(5).fill("ZM"),
  ]);
  assert.deepEqual(written["shuffled day"], day);
  const month = written["sorted month"]!;
  assert.deepEqual(month.map((f) => [f[0], f[1]]), [
    ["/month=2026-10/data_0.parquet", 30],
    // The whole month: November's first day too.
    ["/month=2026-11/data_0.parquet", 30],
  ]);
  assert.deepEqual(written["shuffled month"], month);
});
