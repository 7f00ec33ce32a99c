/**
 * The dim_symbol load: the diff-fed merge (against the previous day's
 * symbols_ref snapshot) gives the same dimension as comparing every symbol,
 * records its diff, and falls back to comparing when the snapshot is stale.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest, openTestDatabase } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { snapshotTables } from "@pipeline/snapshot/lake.ts";
import { fixedClock } from "@pipeline/clock.ts";
import {
  type DimSymbolLoad,
  loadDimSymbol,
  SYMBOLS_REF,
} from "@pipeline/datasets/symbols/dim_symbol.ts";
import {
  dimension,
  expectedVersions,
  LOADS,
  referenceFrame,
  RUN1,
  RUN2,
  RUN3,
  T1,
  T2,
  T3,
  versions,
} from "../../warehouse/_symbols.ts";

const RUNS = [RUN1, RUN2, RUN3];
const TIMES = [T1, T2, T3];

/** Load `i` of the story, then (unless `snapshot` is false) its snapshot. */
async function load(
  client: SqlClient,
  i: number,
  options: { dataDir?: string; snapshot?: boolean; held?: string[] },
): Promise<DimSymbolLoad> {
  const { dataDir, snapshot = true, held = [] } = options;
  const asOf = TIMES[i]!;
  const result = await client.transaction((tx) =>
    loadDimSymbol(tx, {
      reference: referenceFrame(LOADS[i]!),
      held,
      asOf,
      full: true,
    }, { loadId: RUNS[i]!, dataDir })
  );
  if (dataDir && snapshot) {
    await snapshotTables({
      client,
      dataDir,
      dates: [asOf.toISOString().slice(0, 10)],
      tables: [{ name: SYMBOLS_REF, dateColumn: "as_of" }],
      clock: fixedClock(asOf),
    });
  }
  return result;
}

dbTest(
  "loadDimSymbol() fed by snapshot diffs gives the same dim_symbol as comparing every symbol",
  async (db, t) => {
    const compared = await openTestDatabase(db.kind);
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_dim_" });
    try {
      const results: DimSymbolLoad[] = [];
      for (let i = 0; i < 3; i++) {
        results.push(await load(db.client, i, { dataDir }));
        await load(compared.client, i, {});
      }
      await t.step("the first load compares, the next two diff", () => {
        assert.deepEqual(results.map((r) => r.method), [
          "compare",
          "diff",
          "diff",
        ]);
        assert.deepEqual(results.map((r) => r.fallback), [null, null, null]);
        assert.deepEqual(results[1]!.diff, {
          table: "symbols_ref",
          key: ["symbol"],
          from: "2026-11-20",
          to: "2026-11-21",
          columns: ["name", "exchange", "currency", "sector"],
          inserted: [{ symbol: "D" }],
          updated: [{ symbol: "B" }],
          deleted: [],
        });
        assert.deepEqual(
          [results[2]!.diff?.deleted, results[2]!.diff?.updated],
          [[{ symbol: "C" }], []],
        );
      });
      await t.step("both paths leave the same versions", async () => {
        assert.deepEqual(
          await dimension(db.client),
          await dimension(compared.client),
        );
        assert.deepEqual(await versions(db.client), expectedVersions(RUNS));
      });
      await t.step("both paths report the same counts", () => {
        assert.deepEqual(
          results.map((
            r,
          ) => [r.merge.opened, r.merge.closed, r.merge.unchanged]),
          [[3, 0, 0], [2, 1, 2], [0, 1, 3]],
        );
      });
      await t.step("the diffs and loads are recorded", async () => {
        const { rows: diffs } = await db.client.query(
          `SELECT from_date::text, to_date::text, inserted, updated, deleted,
                  run_id::text AS run_id
           FROM etl_snapshot_diff_summary ORDER BY from_date`,
        );
        assert.deepEqual(diffs, [
          {
            from_date: "2026-11-20",
            to_date: "2026-11-21",
            inserted: 1,
            updated: 1,
            deleted: 0,
            run_id: RUN2,
          },
          {
            from_date: "2026-11-21",
            to_date: "2026-11-22",
            inserted: 0,
            updated: 0,
            deleted: 1,
            run_id: RUN3,
          },
        ]);
        const { rows: loads } = await db.client.query(
          `SELECT method, base_date::text, opened, closed, unchanged
           FROM dim_symbol_loads ORDER BY as_of`,
        );
        assert.deepEqual(loads, [
          {
            method: "compare",
            base_date: null,
            opened: 3,
            closed: 0,
            unchanged: 0,
          },
          {
            method: "diff",
            base_date: "2026-11-20",
            opened: 2,
            closed: 1,
            unchanged: 2,
          },
          {
            method: "diff",
            base_date: "2026-11-21",
            opened: 0,
            closed: 1,
            unchanged: 3,
          },
        ]);
      });
      await t.step(
        "the daily snapshots hold the current versions",
        () => {
          for (
            const [date, n] of [["2026-11-20", 3], ["2026-11-21", 4], [
              "2026-11-22",
              3,
            ]] as const
          ) {
            const file =
              `${dataDir}/lake/symbols_ref/date=${date}/data_0.parquet`;
            const snapshot = pl.readParquet(file);
            assert.equal(snapshot.height, n, file);
            assert.deepEqual(snapshot.columns, [
              "symbol",
              "name",
              "exchange",
              "currency",
              "sector",
              "row_hash",
              "as_of",
            ]);
          }
        },
      );
    } finally {
      await compared.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "loadDimSymbol() compares when the previous snapshot is stale, and keeps held symbols out of the diff",
  async (db, t) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_dim_" });
    try {
      await load(db.client, 0, { dataDir });
      await t.step(
        "a load without snapshot makes the next one compare",
        async () => {
          await load(db.client, 1, { dataDir, snapshot: false });
          const third = await load(db.client, 2, { dataDir });
          assert.equal(third.method, "compare");
          assert.match(
            third.fallback ?? "",
            /the symbols_ref snapshot of 2026-11-20 \(3 symbols\) differs from the 4 current versions/,
          );
          assert.deepEqual(await versions(db.client), expectedVersions(RUNS));
        },
      );
      await t.step(
        "a held symbol is neither closed nor diffed as deleted",
        async () => {
          // Load 1 again, a day later, with D held: A, B and C change or
          // return, D (absent) stays.
          const asOf = new Date("2026-11-23T21:30:00Z");
          const r = await db.client.transaction((tx) =>
            loadDimSymbol(tx, {
              reference: referenceFrame(LOADS[0]!),
              held: ["D"],
              asOf,
              full: true,
            }, { loadId: crypto.randomUUID(), dataDir })
          );
          assert.equal(r.method, "diff");
          assert.deepEqual(r.diff?.deleted, []);
          assert.deepEqual(
            [r.diff?.inserted, r.diff?.updated],
            [[{ symbol: "C" }], [{ symbol: "B" }]],
          );
          const current = (await versions(db.client)).filter((v) =>
            v.is_current
          )
            .map((v) => v.symbol);
          assert.deepEqual(current, ["A", "B", "C", "D"]);
        },
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
