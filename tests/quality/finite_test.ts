import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { finiteCheck } from "@pipeline/quality/finite.ts";
import { evaluateChecks } from "@pipeline/quality/evaluate.ts";

const check = finiteCheck<{ bars: pl.DataFrame }>({
  frame: "bars_1m",
  select: ({ batch }) => batch.bars,
});

function input(vwap: (number | null)[], ret: (number | null)[]) {
  const ts = vwap.map((_, i) =>
    new Date(Date.parse("2026-11-20T14:30:00Z") + i * 60_000)
  );
  const bars = pl.DataFrame([
    pl.Series("symbol", vwap.map((_, i) => (i < 2 ? "AAPL" : "MSFT"))),
    pl.Series("ts", ts).cast(pl.Datetime("ms", "UTC")),
    pl.Series("vwap", vwap, pl.Float64),
    pl.Series("ret", ret, pl.Float64),
    pl.Series("volume", vwap.map(() => 1), pl.Int64),
  ]);
  return { valid: bars, batch: { bars }, now: new Date() };
}

Deno.test("finiteCheck() blocks a partition holding NaN or infinity, naming the columns", () => {
  const outcomes = check.run(
    input([190, Infinity, 190, 191], [null, 0.01, NaN, 0.005]),
  );
  assert.deepEqual(outcomes.map((o) => [o.partition, o.status, o.observed]), [
    ["AAPL", "fail", 1],
    ["MSFT", "fail", 1],
  ]);
  assert.equal(
    outcomes[0]!.message,
    "finite.bars_1m: AAPL has 1 of 2 rows with a NaN or infinite value (vwap), the first at 2026-11-20T14:31:00.000Z, expected 0",
  );
  assert.match(outcomes[1]!.message, /\(ret\)/);
});

Deno.test("finiteCheck() passes finite values and nulls", () => {
  const outcomes = evaluateChecks(
    [check],
    input([190, 190.5, 191, null], [null, 0.01, -0.02, null]),
  );
  assert.deepEqual(outcomes.map((o) => o.status), ["pass", "pass"]);
});
