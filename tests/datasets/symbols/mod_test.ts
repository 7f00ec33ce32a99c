/**
 * The symbols dataset through the run loop: a reference file with defects,
 * re-runs, the synthetic reference, and three loads fed by snapshot diffs
 * against the same three loads without snapshots.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest, openTestDatabase } from "../../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { symbolsDataset } from "@pipeline/datasets/symbols/mod.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { countsReconcile } from "@pipeline/summary.ts";
import { SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";
import {
  dimension,
  expectedVersions,
  LOADS,
  T1,
  T2,
  T3,
  versions,
} from "../../warehouse/_symbols.ts";

const SAMPLE = "data/samples/symbols.csv";

async function run(
  client: SqlClient,
  dataDir: string,
  config: Record<string, unknown>,
  asOf: Date,
) {
  const cfg = parseRunConfig({ dataDir, dataset: "symbols", ...config });
  const clock = fixedClock(asOf);
  const source = await sourceFor(cfg, { clock });
  return await runPipeline(source, { dataDir, snapshot: cfg.snapshot }, {
    client,
    clock,
  });
}

Deno.test("symbolsDataset describes the symbols dataset and is registered", () => {
  assert.equal(symbolsDataset.name, "symbols");
  assert.equal(symbolsDataset.entityColumn, "symbol");
  assert.deepEqual(symbolsDataset.tables, [
    {
      name: "symbols_ref",
      dateColumn: "as_of",
      key: ["symbol"],
      diffIgnore: ["as_of", "row_hash"],
    },
  ]);
  assert.equal(DATASETS.symbols, symbolsDataset);
  assert.throws(
    () => symbolsDataset.transform(pl.DataFrame({ symbol: [] })),
    /needs the run's clock/,
  );
});

dbTest(
  "runPipeline() loads a reference file, quarantines and counts its bad records, and a re-run adds nothing",
  async (db, t) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_symbols_" });
    try {
      const config = { source: "file", input: SAMPLE };
      const first = await run(db.client, dataDir, config, T1);
      await t.step("the run succeeds and its counts reconcile", () => {
        assert.equal(first.status, "succeeded", first.error ?? "");
        assert.equal(first.pipeline, "file");
        assert.deepEqual(first.counts, {
          extracted: 12,
          loaded: 6,
          quarantined: 5,
          duplicates: 1,
        });
        assert.ok(countsReconcile(first.counts));
        assert.deepEqual(first.tables, [{
          table: "dim_symbol",
          rows: 6,
          inserted: 6,
          updated: 0,
          unchanged: 0,
        }]);
        assert.equal(first.newest_ts, null);
        assert.deepEqual(first.snapshot?.dates, ["2026-11-20"]);
      });
      await t.step(
        "the quarantine names record, field and reason",
        async () => {
          const { rows } = await db.client.query(
            `SELECT record, entity, field, reason FROM quarantine
           WHERE dataset = 'symbols' AND load_id = $1 ORDER BY record`,
            [first.run_id],
          );
          assert.deepEqual(rows.map((r) => [r.record, r.entity, r.field]), [
            ["symbols.csv:10", "SAP", "currency"],
            ["symbols.csv:11", "TSLA", "symbol"],
            ["symbols.csv:7", "msft", "symbol"],
            ["symbols.csv:8", "IBM", "name"],
            ["symbols.csv:9", null, "symbol"],
          ]);
          assert.match(
            String(rows[1]!.reason),
            /superseded by record symbols.csv:12/,
          );
        },
      );
      await t.step("every version carries the run's load_id", async () => {
        const { rows } = await db.client.query(
          `SELECT symbol, name FROM dim_symbol
           WHERE is_current AND load_id = $1 ORDER BY symbol`,
          [first.run_id],
        );
        assert.deepEqual(rows.map((r) => r.symbol), [
          "AAPL",
          "BRK.B",
          "JPM",
          "MSFT",
          "TSLA",
          "XOM",
        ]);
        assert.equal(
          rows.find((r) => r.symbol === "TSLA")?.name,
          "Tesla, Inc.",
        );
      });
      await t.step(
        "a re-run adds no version and no quarantine row",
        async () => {
          const again = await run(db.client, dataDir, config, T1);
          assert.equal(again.status, "succeeded", again.error ?? "");
          assert.deepEqual(again.tables, [{
            table: "dim_symbol",
            rows: 6,
            inserted: 0,
            updated: 0,
            unchanged: 6,
          }]);
          const { rows } = await db.client.query<{ v: number; q: number }>(
            `SELECT (SELECT count(*)::int FROM dim_symbol) AS v,
                  (SELECT count(*)::int FROM quarantine) AS q`,
          );
          assert.deepEqual(rows, [{ v: 6, q: 5 }]);
        },
      );
      await t.step("the synthetic reference closes what it lacks", async () => {
        const synthetic = await run(db.client, dataDir, {
          source: "synthetic",
          symbols: ["AAPL", "MSFT", "ZZZ"],
        }, T2);
        assert.equal(synthetic.status, "succeeded", synthetic.error ?? "");
        assert.equal(synthetic.pipeline, "synthetic");
        assert.deepEqual(synthetic.tables, [{
          table: "dim_symbol",
          rows: 3,
          inserted: 1,
          updated: 4,
          unchanged: 2,
        }]);
      });
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "runPipeline() over three reference loads: diffs of daily snapshots feed the merge and agree with comparing",
  async (db) => {
    const plain = await openTestDatabase(db.kind);
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_symbols_" });
    const plainDir = await Deno.makeTempDir({ prefix: "sluice_symbols_" });
    try {
      const times = [T1, T2, T3];
      const runIds: string[] = [];
      for (const [i, rows] of LOADS.entries()) {
        const input = `${dataDir}/refs${i + 1}.json`;
        await Deno.writeTextFile(
          input,
          JSON.stringify(
            rows.map((r) =>
              Object.fromEntries(SYMBOL_REF_FIELDS.map((f) => [f, r[f]]))
            ),
          ),
        );
        const fed = await run(
          db.client,
          dataDir,
          { source: "file", input },
          times[i]!,
        );
        assert.equal(fed.status, "succeeded", fed.error ?? "");
        runIds.push(fed.run_id);
        const compared = await run(
          plain.client,
          plainDir,
          { source: "file", input, snapshot: false },
          times[i]!,
        );
        assert.deepEqual(compared.tables, fed.tables);
      }
      assert.deepEqual(await versions(db.client), expectedVersions(runIds));
      assert.deepEqual(
        await dimension(db.client),
        await dimension(plain.client),
      );
      const { rows } = await db.client.query(
        `SELECT method FROM dim_symbol_loads ORDER BY as_of`,
      );
      assert.deepEqual(rows.map((r) => r.method), ["compare", "diff", "diff"]);
      const { rows: plainRows } = await plain.client.query(
        `SELECT method FROM dim_symbol_loads ORDER BY as_of`,
      );
      assert.deepEqual(plainRows.map((r) => r.method), [
        "compare",
        "compare",
        "compare",
      ]);
    } finally {
      await plain.dispose();
      await Deno.remove(dataDir, { recursive: true });
      await Deno.remove(plainDir, { recursive: true });
    }
  },
);
