/**
 * Snapshot diffs over Parquet files in a temporary lake, and their record.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import {
  DiffInputError,
  diffSnapshots,
  latestSnapshotBefore,
} from "@pipeline/warehouse/diff.ts";
import { recordSnapshotDiff } from "@pipeline/warehouse/diff_record.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";
import { lakeTables } from "@pipeline/datasets/lake_tables.ts";

/** The key and ignored columns symbols_ref declares (the symbols dataset). */
const SYMBOLS_REF = lakeTables(DATASETS).find((t) => t.name === "symbols_ref")!;
const SYMBOLS_REF_DIFF = {
  key: SYMBOLS_REF.key,
  ignore: SYMBOLS_REF.diffIgnore,
};

/** Writes `frame` as `<lake>/<table>/date=<date>/data_0.parquet`. */
async function writeSnapshot(
  lake: string,
  table: string,
  date: string,
  frame: pl.DataFrame,
): Promise<void> {
  const dir = `${lake}/${table}/date=${date}`;
  await Deno.mkdir(dir, { recursive: true });
  frame.writeParquet(`${dir}/data_0.parquet`);
}

/** A symbols_ref-like frame: symbol, name, sector, as_of, load_id. */
function refs(
  rows: [string, string, string | null][],
  stamp: string,
): pl.DataFrame {
  return pl.DataFrame([
    pl.Series("symbol", rows.map((r) => r[0]), pl.Utf8),
    pl.Series("name", rows.map((r) => r[1]), pl.Utf8),
    pl.Series("sector", rows.map((r) => r[2]), pl.Utf8),
    pl.Series("as_of", rows.map(() => stamp), pl.Utf8),
    pl.Series("load_id", rows.map(() => crypto.randomUUID()), pl.Utf8),
  ]);
}

async function withLake(fn: (lake: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sluice_diff_" });
  try {
    await fn(`${dir}/lake`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("diffSnapshots() finds inserted, updated and deleted keys exactly", async () => {
  await withLake(async (lake) => {
    await writeSnapshot(
      lake,
      "symbols_ref",
      "2026-11-20",
      refs([
        ["A", "Alpha", null],
        ["B", "Beta", "Energy"],
        ["C", "Gamma", "Financials"],
        ["E", "Epsilon", "Utilities"],
        ["F", "Phi", null],
      ], "2026-11-20"),
    );
    await writeSnapshot(
      lake,
      "symbols_ref",
      "2026-11-21",
      refs([
        ["A", "Alpha", "Energy"], // null -> value
        ["B", "Beta", "Utilities"], // value -> value
        ["D", "Delta", null], // new
        ["E", "Epsilon", null], // value -> null
        ["F", "Phi", null], // unchanged (null = null)
      ], "2026-11-21"),
    );
    const diff = await diffSnapshots({
      lakeDir: lake,
      table: "symbols_ref",
      ...SYMBOLS_REF_DIFF,
      from: "2026-11-20",
      to: "2026-11-21",
    });
    assert.deepEqual(diff, {
      table: "symbols_ref",
      key: ["symbol"],
      from: "2026-11-20",
      to: "2026-11-21",
      columns: ["name", "sector"],
      inserted: [{ symbol: "D" }],
      updated: [{ symbol: "A" }, { symbol: "B" }, { symbol: "E" }],
      deleted: [{ symbol: "C" }],
    });
    const back = await diffSnapshots({
      lakeDir: lake,
      table: "symbols_ref",
      ...SYMBOLS_REF_DIFF,
      from: "2026-11-21",
      to: "2026-11-20",
    });
    assert.deepEqual(
      [back.inserted, back.deleted],
      [[{ symbol: "C" }], [{ symbol: "D" }]],
    );
    assert.deepEqual(
      await latestSnapshotBefore(lake, "symbols_ref", "2026-11-21"),
      {
        date: "2026-11-20",
        files: [`${lake}/symbols_ref/date=2026-11-20/data_0.parquet`],
      },
    );
    assert.equal(
      await latestSnapshotBefore(lake, "symbols_ref", "2026-11-20"),
      null,
    );
  });
});

Deno.test("diffSnapshots() takes a composite key and compares typed columns", async () => {
  await withLake(async (lake) => {
    const bars = (closes: [string, number, number | null][]) =>
      pl.DataFrame([
        pl.Series("symbol", closes.map((c) => c[0]), pl.Utf8),
        pl.Series("ts", closes.map((c) => c[1]), pl.Int64)
          .cast(pl.Datetime("ms", "UTC")),
        pl.Series("close", closes.map((c) => c[2]), pl.Float64),
      ]);
    const ts = Date.parse("2026-11-20T14:30:00Z");
    await writeSnapshot(
      lake,
      "prices",
      "2026-11-20",
      bars([["A", ts, 1], ["A", ts + 60_000, 2], ["B", ts, null]]),
    );
    await writeSnapshot(
      lake,
      "prices",
      "2026-11-21",
      bars([["A", ts, 1], ["A", ts + 60_000, 2.5], ["B", ts, 3]]),
    );
    const diff = await diffSnapshots({
      lakeDir: lake,
      table: "prices",
      key: ["symbol", "ts"],
      from: "2026-11-20",
      to: "2026-11-21",
    });
    assert.deepEqual(diff.updated.map((k) => k.symbol), ["A", "B"]);
    assert.equal(diff.updated.length, 2);
    assert.deepEqual([diff.inserted, diff.deleted], [[], []]);
  });
});

Deno.test("diffSnapshots() names what it cannot diff", async (t) => {
  await withLake(async (lake) => {
    const day = refs([["A", "Alpha", null]], "x");
    await writeSnapshot(lake, "symbols_ref", "2026-11-20", day);
    await writeSnapshot(lake, "symbols_ref", "2026-11-21", day);
    await writeSnapshot(
      lake,
      "twice",
      "2026-11-20",
      refs([["A", "a", null], ["A", "b", null]], "x"),
    );
    await writeSnapshot(lake, "twice", "2026-11-21", day);
    const cases: [string, Parameters<typeof diffSnapshots>[0], RegExp][] = [
      [
        "a date without a snapshot",
        {
          lakeDir: lake,
          table: "symbols_ref",
          key: ["symbol"],
          from: "2026-11-19",
          to: "2026-11-21",
        },
        /no snapshot of symbols_ref on 2026-11-19; it has 2 \(2026-11-20, 2026-11-21\)/,
      ],
      [
        "an unknown table",
        {
          lakeDir: lake,
          table: "nope",
          key: ["a"],
          from: "2026-11-20",
          to: "2026-11-21",
        },
        /no snapshots of table nope/,
      ],
      [
        "a table without a default key",
        { lakeDir: lake, table: "twice", from: "2026-11-20", to: "2026-11-21" },
        /table twice has no default key/,
      ],
      [
        "a key that repeats",
        {
          lakeDir: lake,
          table: "twice",
          key: ["symbol"],
          from: "2026-11-20",
          to: "2026-11-21",
        },
        /key \(symbol\) is not unique in the older snapshot: 1 keys repeat/,
      ],
      [
        "a key that is not a column",
        {
          lakeDir: lake,
          table: "symbols_ref",
          key: ["ticker"],
          from: "2026-11-20",
          to: "2026-11-21",
        },
        /key column ticker is not in the older snapshot/,
      ],
      [
        "a bad date",
        {
          lakeDir: lake,
          table: "symbols_ref",
          key: ["symbol"],
          from: "2026-02-30",
          to: "2026-11-21",
        },
        /invalid date "2026-02-30"/,
      ],
    ];
    for (const [name, options, message] of cases) {
      await t.step(name, async () => {
        await assert.rejects(diffSnapshots(options), (err: unknown) => {
          assert.match(String((err as Error).message), message);
          return name === "a bad date" || err instanceof DiffInputError;
        });
      });
    }
  });
});

dbTest(
  "recordSnapshotDiff() keeps one row per key and replaces a re-computed diff",
  async (db) => {
    const diff = {
      table: "symbols_ref",
      key: ["symbol"],
      from: "2026-11-20",
      to: "2026-11-21",
      columns: ["name"],
      inserted: [{ symbol: "D" }],
      updated: [{ symbol: "B" }],
      deleted: [{ symbol: "C" }],
    };
    const run1 = crypto.randomUUID(), run2 = crypto.randomUUID();
    assert.equal(await recordSnapshotDiff(db.client, diff, { runId: run1 }), 3);
    assert.equal(
      await recordSnapshotDiff(db.client, { ...diff, deleted: [] }, {
        runId: run2,
      }),
      2,
    );
    const { rows } = await db.client.query(
      `SELECT change, key, run_id::text AS run_id FROM etl_snapshot_diffs
     ORDER BY change`,
    );
    assert.deepEqual(rows, [
      { change: "insert", key: { symbol: "D" }, run_id: run2 },
      { change: "update", key: { symbol: "B" }, run_id: run2 },
    ]);
    const { rows: summary } = await db.client.query(
      `SELECT table_name, from_date::text, to_date::text, inserted, updated,
            deleted FROM etl_snapshot_diff_summary`,
    );
    assert.deepEqual(summary, [{
      table_name: "symbols_ref",
      from_date: "2026-11-20",
      to_date: "2026-11-21",
      inserted: 1,
      updated: 1,
      deleted: 0,
    }]);
  },
);
