import assert from "node:assert/strict";
import { rowCountCheck } from "@pipeline/quality/row_count.ts";
import { cleanBars, inputOf, type OneFrame, theFrame } from "./_frames.ts";
import { barFrame } from "./_frames.ts";

Deno.test("rowCountCheck() holds each symbol to a share of the expected rows", async (t) => {
  const cases: {
    name: string;
    counts: Record<string, number>;
    minShare?: number;
    severity?: "blocking" | "warn";
    want: [string, string, number][];
  }[] = [
    {
      name: "full and just enough pass",
      counts: { AAPL: 10, MSFT: 9 },
      want: [["AAPL", "pass", 10], ["MSFT", "pass", 9]],
    },
    {
      name: "below 90 % warns by default",
      counts: { AAPL: 10, MSFT: 8 },
      want: [["AAPL", "pass", 10], ["MSFT", "warn", 8]],
    },
    {
      name: "a blocking check fails",
      counts: { AAPL: 8 },
      severity: "blocking",
      want: [["AAPL", "fail", 8]],
    },
    {
      name: "a lower share lets fewer rows pass",
      counts: { AAPL: 5 },
      minShare: 0.5,
      want: [["AAPL", "pass", 5]],
    },
    {
      name: "more rows than expected pass",
      counts: { AAPL: 12 },
      want: [["AAPL", "pass", 12]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const check = rowCountCheck<OneFrame>({
        frame: "bars_1m",
        select: theFrame,
        entity: "symbol",
        expected: () => 10,
        basis: "ten minutes",
        ...(c.minShare === undefined ? {} : { minShare: c.minShare }),
        ...(c.severity === undefined ? {} : { severity: c.severity }),
      });
      const frame = barFrame(
        Object.entries(c.counts).flatMap(([s, n]) => cleanBars(s, n)),
      );
      assert.deepEqual(
        check.run(inputOf(frame)).map((
          o,
        ) => [o.partition, o.status, o.observed]),
        c.want,
      );
    });
  }
  await t.step("expected is computed once from the whole frame", () => {
    const seen: number[] = [];
    const check = rowCountCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      entity: "symbol",
      expected: (frame) => (seen.push(frame.height), 390),
      basis: "one NYSE session",
    });
    const frame = barFrame([
      ...cleanBars("AAPL", 390),
      ...cleanBars("MSFT", 200),
    ]);
    const [aapl, msft] = check.run(inputOf(frame));
    assert.deepEqual(seen, [590]);
    assert.deepEqual([aapl!.expected, aapl!.threshold], [390, 351]);
    assert.equal(
      msft!.message,
      "row_count: MSFT has 200 rows in bars_1m (51.28%), expected 390 " +
        "(one NYSE session); at least 351 (90%) needed",
    );
  });
});
