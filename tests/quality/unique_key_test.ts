import assert from "node:assert/strict";
import { uniqueKeyCheck } from "@pipeline/quality/unique_key.ts";
import {
  barFrame,
  type BarRow,
  cleanBars,
  inputOf,
  type OneFrame,
  theFrame,
} from "./_frames.ts";

Deno.test("uniqueKeyCheck() counts rows repeating a (symbol, ts) key", async (t) => {
  const check = uniqueKeyCheck<OneFrame>({
    frame: "bars_1m",
    select: theFrame,
    entity: "symbol",
  });
  const cases: {
    name: string;
    rows: BarRow[];
    want: [string, string, number][];
  }[] = [
    {
      name: "unique keys pass; the same ts of two symbols is no repeat",
      rows: [...cleanBars("AAPL", 3), ...cleanBars("MSFT", 3)],
      want: [["AAPL", "pass", 0], ["MSFT", "pass", 0]],
    },
    {
      name: "an exact copy fails",
      rows: [...cleanBars("AAPL", 3), ["AAPL", 1, 10, 11, 9, 10.5]],
      want: [["AAPL", "fail", 1]],
    },
    {
      name: "three copies of one key are two extra rows",
      rows: [
        ...cleanBars("AAPL", 2),
        ["AAPL", 0, 10, 11, 9, 10],
        ["AAPL", 0, 10, 12, 9, 10],
        ...cleanBars("MSFT", 1),
      ],
      want: [["AAPL", "fail", 2], ["MSFT", "pass", 0]],
    },
    { name: "an empty frame has no partitions", rows: [], want: [] },
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
  await t.step("the message names the first repeated key", () => {
    const [o] = check.run(inputOf(barFrame([
      ...cleanBars("AAPL", 3),
      ["AAPL", 2, 10, 11, 9, 10.5],
    ])));
    assert.equal(o!.check, "unique_key.bars_1m");
    assert.equal(
      o!.message,
      "unique_key.bars_1m: AAPL has 1 row repeating a (symbol, ts) key in " +
        "bars_1m, the first at ts 2026-11-20T14:32:00.000Z, expected 0",
    );
  });
});
