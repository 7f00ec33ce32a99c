/** The sources eod declares (`EOD_SOURCES`), reached through the registry. */
import assert from "node:assert/strict";
import { parseRunConfig } from "@pipeline/config.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";
import { FileLayoutError } from "@pipeline/extract/record_file.ts";
import { SP500_CSV, SP500_ROWS } from "./_sp500.ts";

const deps = {
  clock: fixedClock("2026-12-02T22:00:00Z"),
  http: { env: { ALPHAVANTAGE_API_KEY: "k" }, dotenv: false as const },
};

Deno.test("file and alphavantage deliver eod when asked; it is the own dataset of neither", () => {
  assert.deepEqual(SOURCE_DATASETS.file, ["bars", "symbols", "eod"]);
  assert.deepEqual(SOURCE_DATASETS.alphavantage, ["bars", "eod"]);
  assert.ok(!SOURCE_DATASETS.synthetic?.includes("eod"));
});

Deno.test("sourceFor() gives --source file --dataset eod the generic file source with --symbol", async () => {
  const source = await sourceFor(
    parseRunConfig({
      source: "file",
      dataset: "eod",
      input: SP500_CSV,
      symbol: "SPX",
    }),
    deps,
  );
  assert.equal(source.dataset, "eod");
  const [p] = source.partitions();
  assert.equal(p?.name, SP500_CSV);
  const raw = await p!.extract();
  assert.equal(raw.height, SP500_ROWS);
  assert.deepEqual(raw.columns, [
    "symbol",
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "record",
  ]);
  assert.deepEqual(raw.row(0), [
    "SPX",
    "2000-01-03",
    "1469.250000",
    "1478.000000",
    "1438.359985",
    "1455.219971",
    "1455.219971",
    "931800000",
    "sp500-2000.csv:2",
  ]);
});

Deno.test("sourceFor() refuses the symbol-less file without --symbol before reading it, naming the flag", async () => {
  await assert.rejects(
    sourceFor(
      parseRunConfig({ source: "file", dataset: "eod", input: SP500_CSV }),
      deps,
    ),
    (err: unknown) => {
      assert.ok(err instanceof FileLayoutError);
      assert.match(err.message, /missing required daily bar column symbol/);
      assert.match(err.message, /--symbol NAME/);
      return true;
    },
  );
});

Deno.test("sourceFor() gives --source alphavantage --dataset eod one TIME_SERIES_DAILY partition per symbol", async () => {
  const source = await sourceFor(
    parseRunConfig({
      source: "alphavantage",
      dataset: "eod",
      symbols: ["IBM", "MSFT"],
      start: "2026-11-01",
      end: "2026-12-01",
      rawLanding: false,
    }),
    deps,
  );
  assert.equal(source.dataset, "eod");
  assert.deepEqual(source.partitions().map((p) => p.name), [
    "IBM daily",
    "MSFT daily",
  ]);
});

Deno.test("parseRunConfig() refuses --dataset eod from a source without daily bars", () => {
  assert.throws(
    () => parseRunConfig({ source: "finnhub", dataset: "eod" }),
    /cannot deliver --dataset eod.*--source file, alphavantage/,
  );
});
