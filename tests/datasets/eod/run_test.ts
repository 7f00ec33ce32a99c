/**
 * The eod dataset through the run loop: the S&P 500 sample file (plus two
 * poison records) with symbol SPX, as `deno task etl --dataset eod --source
 * file --input <sp500-2000.csv> --symbol SPX` would run it.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { runPipeline } from "@pipeline/run.ts";
import { countsReconcile } from "@pipeline/summary.ts";
import { compareTable } from "../../snapshot/_lake_equal.ts";
import { NOW, SP500_CSV, SP500_ROWS } from "./_sp500.ts";

const eodDataset = DATASETS.eod!;

dbTest(
  "runPipeline() loads the S&P 500 file as eod, quarantines poison, lakes it by year",
  async (db) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_eod_" });
    const input = `${dataDir}/sp500.csv`;
    try {
      await Deno.writeTextFile(
        input,
        (await Deno.readTextFile(SP500_CSV)) +
          "\n1900-01-02,10,11,9,10,10,100" + // not before 1990
          "\n2020-04-20,2845.62,2868.98,2820.43,2823.16,2823.16,5\u00000", // NUL
      );
      const clock = fixedClock(NOW);
      const deps = { client: db.client, clock };
      // The registered eod's file source, as --source file --dataset eod
      // --input FILE --symbol SPX builds it.
      const source = await sourceFor(
        parseRunConfig({
          source: "file",
          dataset: "eod",
          input,
          symbol: "SPX",
          dataDir,
        }),
        { clock },
      );
      const first = await runPipeline(source, { dataDir }, deps);
      assert.equal(first.status, "succeeded", first.error ?? "");
      assert.deepEqual(first.counts, {
        extracted: SP500_ROWS + 2,
        loaded: SP500_ROWS,
        quarantined: 2,
        duplicates: 0,
      });
      assert.ok(countsReconcile(first.counts));
      const { rows: quarantined } = await db.client.query<
        { field: string; reason: string }
      >(
        "SELECT field, reason FROM quarantine WHERE dataset = 'eod' ORDER BY record",
      );
      assert.deepEqual(quarantined.map((q) => q.field), ["date", "volume"]);
      assert.match(quarantined[0]!.reason, /before 1990/);
      assert.match(quarantined[1]!.reason, /control character/);

      // The lake: one Parquet file per year, 2000..2020, equal to the table.
      const years: string[] = [];
      for await (const e of Deno.readDir(`${dataDir}/lake/eod_bars`)) {
        years.push(e.name);
      }
      assert.equal(years.length, 21);
      assert.deepEqual(years.sort().slice(0, 2), ["year=2000", "year=2001"]);
      const lake = await compareTable(
        db.client,
        dataDir,
        eodDataset.tables[0]!,
      );
      assert.deepEqual(lake.lake, lake.warehouse);
      assert.equal(lake.warehouse.rows, SP500_ROWS);
      assert.equal(lake.view, SP500_ROWS);

      // The same file again: nothing inserted or updated.
      const second = await runPipeline(source, { dataDir }, deps);
      assert.equal(second.status, "succeeded", second.error ?? "");
      const eod = second.tables.find((t) => t.table === "eod_bars");
      assert.deepEqual([eod?.inserted, eod?.updated], [0, 0]);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
