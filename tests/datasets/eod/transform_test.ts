import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EOD_COLUMNS, transformEod } from "@pipeline/datasets/eod/mod.ts";

const day = (d: string) => new Date(`${d}T00:00:00Z`);

function valid(rows: [string, string, number, number | null][]) {
  return pl.DataFrame({
    symbol: rows.map((r) => r[0]),
    ts: rows.map((r) => day(r[1])),
    open: rows.map((r) => r[2]),
    high: rows.map((r) => r[2] + 1),
    low: rows.map((r) => r[2] - 1),
    close: rows.map((r) => r[2]),
    adj_close: rows.map((r) => r[3]),
    volume: rows.map(() => 1000),
    record: rows.map((_, i) => `r:${i}`),
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

Deno.test("transformEod() drops exact duplicates, keeps the last copy of a key and sorts", () => {
  const { bars, duplicates } = transformEod(valid([
    ["SPX", "2020-01-03", 12, null],
    ["SPX", "2020-01-02", 10, null],
    ["SPX", "2020-01-02", 10, null], // exact copy
    ["SPX", "2020-01-03", 12, 11.5], // differs in adj_close only: wins
    ["AAA", "2020-01-02", 5, null],
  ]));
  assert.equal(duplicates, 1);
  assert.deepEqual(bars.columns, [...EOD_COLUMNS]);
  assert.deepEqual(
    bars.select("symbol", "adj_close").toRecords(),
    [
      { symbol: "AAA", adj_close: null },
      { symbol: "SPX", adj_close: null },
      { symbol: "SPX", adj_close: 11.5 },
    ],
  );
});

Deno.test("transformEod() computes ret per symbol as close / previous close - 1", () => {
  const { bars } = transformEod(valid([
    ["SPX", "2020-01-02", 10, null],
    ["SPX", "2020-01-03", 12, null],
    ["SPX", "2020-01-06", 9, null],
    ["AAA", "2020-01-03", 4, null],
  ]));
  assert.deepEqual(bars.getColumn("ret").toArray(), [
    null,
    null,
    12 / 10 - 1,
    9 / 12 - 1,
  ]);
});
