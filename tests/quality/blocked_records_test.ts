import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { blockedRecords } from "@pipeline/quality/blocked_records.ts";
import type { CheckOutcome } from "@pipeline/quality/check.ts";
import { barFrame, cleanBars } from "./_frames.ts";

const failure = (partition: string, check: string): CheckOutcome => ({
  partition,
  check,
  severity: "blocking",
  status: "fail",
  observed: 1,
  expected: 0,
  threshold: 0,
  message: `${check}: ${partition} is broken`,
});

Deno.test("blockedRecords() keeps each valid record of a blocked partition once", async (t) => {
  const bars = barFrame([
    ...cleanBars("AAPL", 2),
    ["AAPL", 1, 10, 11, 9, 10.5], // an exact copy of minute 1
    ...cleanBars("MSFT", 2),
  ]);
  const valid = bars.withColumns(
    pl.Series("record", ["a:0", "a:1", "a:1#2", "m:0", "m:1"], pl.Utf8),
  );
  const out = blockedRecords(valid, {
    entity: "symbol",
    blocked: new Map([["AAPL", [
      failure("AAPL", "unique_key.bars_1m"),
      failure("AAPL", "ohlc.bars_5m"),
    ]]]),
  });
  await t.step("the quarantine columns, all text", () => {
    assert.deepEqual(out.columns, [
      "record",
      "symbol",
      "ts",
      "field",
      "reason",
      "raw",
    ]);
    assert.deepEqual(out.dtypes.map(String), Array(6).fill(String(pl.String)));
  });
  await t.step(
    "one row per key, the first to arrive; other symbols untouched",
    () => {
      assert.deepEqual(out.getColumn("record").toArray(), ["a:0", "a:1"]);
    },
  );
  await t.step(
    "field is the first failing check, reason quotes them all",
    () => {
      const row = out.toRecords()[1]!;
      assert.deepEqual(row, {
        record: "a:1",
        symbol: "AAPL",
        ts: "2026-11-20T14:31:00.000Z",
        field: "unique_key.bars_1m",
        reason: "partition AAPL blocked by quality check unique_key.bars_1m: " +
          "AAPL is broken; ohlc.bars_5m: AAPL is broken",
        raw: '{"symbol":"AAPL","ts":"2026-11-20T14:31:00.000Z","open":10.0,' +
          '"high":11.0,"low":9.0,"close":10.5,"volume":100.0}',
      });
    },
  );
});
