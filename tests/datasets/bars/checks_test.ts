import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { fixedClock } from "@pipeline/clock.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { validateBars } from "@pipeline/validate/bars.ts";
import { transformBars } from "@pipeline/transform/bars.ts";
import {
  BAR_QUALITY_DEFAULTS,
  barChecks,
} from "@pipeline/datasets/bars/checks.ts";
import { evaluateChecks } from "@pipeline/quality/evaluate.ts";

const NOW = new Date("2026-11-20T21:30:00Z");

/** Two sessions of synthetic bars through validate and transform. */
function batchOf(symbols: string[], defectRate = 0.005) {
  const raw = syntheticBars({
    clock: fixedClock(NOW),
    symbols,
    sessions: 2,
    defectRate,
  });
  const { valid } = validateBars(raw, { now: NOW });
  const { bars, bars5m, bars1h } = transformBars(valid);
  return { valid, batch: { bars, bars5m, bars1h }, now: NOW };
}

Deno.test("barChecks() is the default list, in order", () => {
  assert.deepEqual(barChecks().map((c) => [c.spec.name, c.spec.severity]), [
    ["row_count", "warn"],
    ["null_rate.symbol", "blocking"],
    ["null_rate.ts", "blocking"],
    ["null_rate.open", "blocking"],
    ["null_rate.high", "blocking"],
    ["null_rate.low", "blocking"],
    ["null_rate.close", "blocking"],
    ["null_rate.volume", "blocking"],
    ["null_rate.ret", "warn"],
    ["null_rate.ma_close_20", "warn"],
    ["null_rate.ma_volume_20", "warn"],
    ["null_rate.vwap", "warn"],
    ["freshness", "warn"],
    ["monotonic_ts", "warn"],
    ["ohlc.bars_1m", "blocking"],
    ["ohlc.bars_5m", "blocking"],
    ["ohlc.bars_1h", "blocking"],
    ["unique_key.bars_1m", "blocking"],
    ["unique_key.bars_5m", "blocking"],
    ["unique_key.bars_1h", "blocking"],
    ["finite.bars_1m", "blocking"],
    ["finite.bars_5m", "blocking"],
    ["finite.bars_1h", "blocking"],
  ]);
});

Deno.test("barChecks() passes clean synthetic bars with their defects quarantined", () => {
  const outcomes = evaluateChecks(barChecks(), batchOf(["AAPL", "MSFT"]));
  assert.equal(outcomes.length, 2 * 23);
  const notPassed = outcomes.filter((o) => o.status !== "pass");
  assert.deepEqual(notPassed, [], notPassed.map((o) => o.message).join("\n"));
  const row = outcomes.find((o) =>
    o.check === "row_count" && o.partition === "AAPL"
  )!;
  assert.equal(row.expected, 2 * 390);
});

Deno.test("barChecks() takes overrides of severities and thresholds", async (t) => {
  await t.step("one field of one setting; the rest stays default", () => {
    const [rowCount] = barChecks({ rowCount: { severity: "blocking" } });
    assert.equal(rowCount!.spec.severity, "blocking");
    assert.match(rowCount!.spec.expectation, /^>= 90% /);
    assert.equal(BAR_QUALITY_DEFAULTS.rowCount.severity, "warn");
  });
  await t.step("a null rate per column, and a new column", () => {
    const checks = barChecks({
      nullRate: {
        vwap: { maxRate: 0.05 },
        extra: { severity: "warn", maxRate: 0 },
      },
    });
    const vwap = checks.find((c) => c.spec.name === "null_rate.vwap")!;
    assert.deepEqual([vwap.spec.severity, vwap.spec.expectation], [
      "warn",
      "<= 5%",
    ]);
    assert.ok(checks.some((c) => c.spec.name === "null_rate.extra"));
  });
  await t.step(
    "a truncated symbol trips a row count set to block (and is stale)",
    () => {
      const input = batchOf(["AAPL", "MSFT"], 0);
      const short = input.batch.bars.filter(
        pl.col("symbol").neq(pl.lit("AAPL"))
          .or(
            pl.col("ts").cast(pl.Int64).lt(Date.parse("2026-11-20T17:00:00Z")),
          ),
      );
      const outcomes = evaluateChecks(
        barChecks({ rowCount: { severity: "blocking" } }),
        { ...input, batch: { ...input.batch, bars: short } },
      );
      const failed = outcomes.filter((o) => o.status !== "pass");
      assert.deepEqual(
        failed.map((o) => [o.partition, o.check, o.status]),
        [["AAPL", "row_count", "fail"], ["AAPL", "freshness", "warn"]],
      );
    },
  );
});
