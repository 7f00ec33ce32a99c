import assert from "node:assert/strict";
import { ohlcCheck } from "@pipeline/quality/ohlc.ts";
import {
  barFrame,
  type BarRow,
  cleanBars,
  inputOf,
  type OneFrame,
  theFrame,
} from "./_frames.ts";

Deno.test("ohlcCheck() counts inconsistent bars per symbol", async (t) => {
  const check = ohlcCheck<OneFrame>({ frame: "bars_5m", select: theFrame });
  const cases: {
    name: string;
    rows: BarRow[];
    want: [string, string, number][];
  }[] = [
    {
      name: "consistent bars pass",
      rows: [...cleanBars("AAPL", 3), ["MSFT", 0, 10, 10, 10, 10]],
      want: [["AAPL", "pass", 0], ["MSFT", "pass", 0]],
    },
    {
      name: "high below the close fails",
      rows: [...cleanBars("AAPL", 2), ["AAPL", 2, 10, 10.2, 9, 10.5]],
      want: [["AAPL", "fail", 1]],
    },
    {
      name: "low above the open fails",
      rows: [["AAPL", 0, 10, 11, 10.1, 10.5]],
      want: [["AAPL", "fail", 1]],
    },
    {
      name: "high below low fails, only for its symbol",
      rows: [["AAPL", 0, 10, 9, 11, 10], ...cleanBars("MSFT", 2)],
      want: [["AAPL", "fail", 1], ["MSFT", "pass", 0]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const out = check.run(inputOf(barFrame(c.rows)));
      assert.deepEqual(
        out.map((o) => [o.partition, o.status, o.observed]),
        c.want,
      );
    });
  }
  await t.step("the message names the symbol, count and first bar", () => {
    const [o] = check.run(inputOf(barFrame([
      ...cleanBars("AAPL", 2),
      ["AAPL", 5, 10, 10.2, 9, 10.5],
    ])));
    assert.equal(o!.check, "ohlc.bars_5m");
    assert.equal(o!.severity, "blocking");
    assert.equal(
      o!.message,
      "ohlc.bars_5m: AAPL has 1 of 3 bars with inconsistent " +
        "open/high/low/close, the first at 2026-11-20T14:35:00.000Z, expected 0",
    );
  });
  await t.step("a warn severity makes a failure a warning", () => {
    const warn = ohlcCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      severity: "warn",
    });
    const [o] = warn.run(inputOf(barFrame([["AAPL", 0, 10, 9, 11, 10]])));
    assert.equal(o!.status, "warn");
  });
});
