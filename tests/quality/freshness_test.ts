import assert from "node:assert/strict";
import { freshnessCheck } from "@pipeline/quality/freshness.ts";
import { latestSessionMinute } from "@pipeline/quality/nyse_minutes.ts";
import {
  barFrame,
  cleanBars,
  inputOf,
  type OneFrame,
  theFrame,
} from "./_frames.ts";

Deno.test("freshnessCheck() measures how far the newest ts lags", async (t) => {
  // AAPL's newest bar is 15:59 New York (its 390th minute), MSFT's 10:29.
  const frame = barFrame([
    ...cleanBars("AAPL", 390),
    ...cleanBars("MSFT", 60),
  ]);
  const cases: {
    name: string;
    now: string;
    maxLagMs?: number;
    calendar?: boolean;
    want: [string, string, number][];
  }[] = [
    {
      name: "against the run's clock",
      now: "2026-11-20T21:00:00Z",
      maxLagMs: 3600_000,
      want: [["AAPL", "pass", 60], ["MSFT", "warn", 19_860]],
    },
    {
      name: "against the last session minute: the weekend is no lag",
      now: "2026-11-23T08:00:00Z",
      calendar: true,
      want: [["AAPL", "pass", 0], ["MSFT", "warn", 19_800]],
    },
    {
      name: "data ahead of the clock (a forecast) lags 0",
      now: "2026-11-20T15:00:00Z",
      want: [["AAPL", "pass", 0], ["MSFT", "pass", 0]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const check = freshnessCheck<OneFrame>({
        frame: "bars_1m",
        select: theFrame,
        entity: "symbol",
        ...(c.maxLagMs === undefined ? {} : { maxLagMs: c.maxLagMs }),
        ...(c.calendar ? { latestExpected: latestSessionMinute } : {}),
      });
      assert.deepEqual(
        check.run(inputOf(frame, new Date(c.now))).map((
          o,
        ) => [o.partition, o.status, o.observed]),
        c.want,
      );
    });
  }
  await t.step("the message quotes newest, expectation and limit", () => {
    const check = freshnessCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      entity: "symbol",
      severity: "blocking",
    });
    const out = check.run(inputOf(frame, new Date("2026-11-20T21:00:00Z")));
    assert.equal(out[1]!.status, "fail");
    assert.equal(
      out[1]!.message,
      "freshness: MSFT newest ts 2026-11-20T15:29:00.000Z is 5h 31m behind " +
        "2026-11-20T21:00:00.000Z (the run's clock), expected at most 1h",
    );
  });
});
