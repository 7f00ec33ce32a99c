import assert from "node:assert/strict";
import { monotonicCheck } from "@pipeline/quality/monotonic.ts";
import { barFrame, type BarRow, inputOf, type OneFrame } from "./_frames.ts";

/** Bars of `symbol` arriving at the given minutes, in that order. */
const at = (symbol: string, minutes: number[]): BarRow[] =>
  minutes.map((m) => [symbol, m, 10, 11, 9, 10]);

Deno.test("monotonicCheck() counts steps against the arrival order", async (t) => {
  const check = monotonicCheck<OneFrame>({
    frame: "valid",
    select: ({ valid }) => valid,
    entity: "symbol",
  });
  const cases: {
    name: string;
    rows: BarRow[];
    want: [string, string, number][];
  }[] = [
    {
      name: "ascending passes",
      rows: at("AAPL", [0, 1, 2, 3]),
      want: [["AAPL", "pass", 0]],
    },
    {
      name: "descending (newest first) passes",
      rows: at("AAPL", [3, 2, 1, 0]),
      want: [["AAPL", "pass", 0]],
    },
    {
      name: "an exact duplicate in place is no step",
      rows: at("AAPL", [0, 1, 1, 2]),
      want: [["AAPL", "pass", 0]],
    },
    {
      name: "one bar out of place warns",
      rows: at("AAPL", [0, 1, 3, 2, 4, 5]),
      want: [["AAPL", "warn", 1]],
    },
    {
      name: "symbols interleaved in arrival are judged apart",
      rows: [
        ...at("AAPL", [0]),
        ...at("MSFT", [5]),
        ...at("AAPL", [1]),
        ...at("MSFT", [4]),
        ...at("AAPL", [2]),
      ],
      want: [["AAPL", "pass", 0], ["MSFT", "pass", 0]],
    },
    {
      name: "a shuffled symbol warns, the other passes",
      rows: [...at("AAPL", [2, 0, 3, 1]), ...at("MSFT", [0, 1])],
      want: [["AAPL", "warn", 1], ["MSFT", "pass", 0]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assert.deepEqual(
        check.run(inputOf(barFrame(c.rows))).map((
          o,
        ) => [o.partition, o.status, o.observed]),
        c.want,
      );
    });
  }
  await t.step("the message names the direction", () => {
    const [o] = check.run(inputOf(barFrame(at("AAPL", [0, 1, 3, 2, 4]))));
    assert.equal(
      o!.message,
      "monotonic_ts: AAPL has 1 of 4 steps of ts against its ascending " +
        "arrival order, expected at most 0",
    );
  });
});
