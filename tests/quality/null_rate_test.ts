import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { nullRateCheck } from "@pipeline/quality/null_rate.ts";
import { OPEN_MS } from "./_frames.ts";
import { inputOf, type OneFrame, theFrame } from "./_frames.ts";

/** A frame of `symbol` with column `x` holding `values` at minutes 0, 1, … */
function frameOf(parts: Record<string, (number | null)[]>): pl.DataFrame {
  const rows = Object.entries(parts).flatMap(([s, xs]) =>
    xs.map((x, i) => ({ s, x, i }))
  );
  return pl.DataFrame([
    pl.Series("symbol", rows.map((r) => r.s), pl.Utf8),
    pl.Series("ts", rows.map((r) => OPEN_MS + r.i * 60_000), pl.Int64)
      .cast(pl.Datetime("ms", "UTC")),
    pl.Series("x", rows.map((r) => r.x), pl.Float64),
  ]);
}

Deno.test("nullRateCheck() measures the share of nulls per symbol", async (t) => {
  const cases: {
    name: string;
    parts: Record<string, (number | null)[]>;
    maxRate?: number;
    leading?: number;
    want: [string, string, number | null][];
  }[] = [
    {
      name: "no nulls pass at 0 %",
      parts: { AAPL: [1, 2, 3, 4] },
      want: [["AAPL", "pass", 0]],
    },
    {
      name: "one null of four is 25 % and fails 0 %",
      parts: { AAPL: [1, null, 3, 4], MSFT: [1, 2] },
      want: [["AAPL", "warn", 0.25], ["MSFT", "pass", 0]],
    },
    {
      name: "a rate within maxRate passes",
      parts: { AAPL: [1, null, 3, 4] },
      maxRate: 0.25,
      want: [["AAPL", "pass", 0.25]],
    },
    {
      name: "leading nulls (a warm-up) are not counted",
      parts: { AAPL: [null, null, 3, 4], MSFT: [null, 2, 3] },
      leading: 2,
      want: [["AAPL", "pass", 0], ["MSFT", "pass", 0]],
    },
    {
      name: "a null after the warm-up still counts",
      parts: { AAPL: [null, 2, 3, null] },
      leading: 1,
      want: [["AAPL", "warn", 1 / 3]],
    },
    {
      name: "a partition shorter than its warm-up passes",
      parts: { AAPL: [null] },
      leading: 19,
      want: [["AAPL", "pass", 0]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const check = nullRateCheck<OneFrame>({
        frame: "bars_1m",
        select: theFrame,
        entity: "symbol",
        column: "x",
        ...(c.maxRate === undefined ? {} : { maxRate: c.maxRate }),
        ...(c.leading === undefined ? {} : { leading: c.leading }),
      });
      assert.deepEqual(
        check.run(inputOf(frameOf(c.parts))).map((
          o,
        ) => [o.partition, o.status, o.observed]),
        c.want,
      );
    });
  }
  await t.step("the warm-up follows ts, not frame order", () => {
    const frame = frameOf({ AAPL: [null, 2, 3] }).reverse();
    const check = nullRateCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      entity: "symbol",
      column: "x",
      leading: 1,
    });
    assert.equal(check.run(inputOf(frame))[0]!.status, "pass");
  });
  await t.step("checks of one frame share their work, not their counts", () => {
    // Two columns with different warm-ups and nulls, one without nulls, and
    // one column checked twice: every check of the same frame object gets
    // its own answer (the rows and positions are shared between them).
    const frame = frameOf({ AAPL: [null, 2, null, 4], MSFT: [null, null, 3] })
      .withColumns(
        pl.col("x").fillNull(0).alias("full"),
        pl.when(pl.col("ts").eq(pl.col("ts").min().over("symbol")))
          .then(pl.lit(null)).otherwise(pl.col("x")).alias("y"),
      )
      .reverse();
    const run = (column: string, leading?: number) =>
      nullRateCheck<OneFrame>({
        frame: "bars_1m",
        select: theFrame,
        entity: "symbol",
        column,
        ...(leading === undefined ? {} : { leading }),
      }).run(inputOf(frame)).map((o) => [o.partition, o.observed]);
    assert.deepEqual(run("full"), [["AAPL", 0], ["MSFT", 0]]);
    assert.deepEqual(run("x", 1), [["AAPL", 1 / 3], ["MSFT", 1 / 2]]);
    assert.deepEqual(run("full", 2), [["AAPL", 0], ["MSFT", 0]]);
    assert.deepEqual(run("y", 1), [["AAPL", 1 / 3], ["MSFT", 1 / 2]]);
    assert.deepEqual(run("x", 2), [["AAPL", 1 / 2], ["MSFT", 0]]);
    assert.deepEqual(run("x"), [["AAPL", 2 / 4], ["MSFT", 2 / 3]]);
  });
  await t.step("a blocking check fails; a missing column fails too", () => {
    const check = nullRateCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      entity: "symbol",
      column: "close",
      severity: "blocking",
    });
    const [o] = check.run(inputOf(frameOf({ AAPL: [1] })));
    assert.deepEqual([o!.check, o!.status, o!.observed], [
      "null_rate.close",
      "fail",
      null,
    ]);
    assert.equal(o!.message, "null_rate.close: bars_1m has no column close");
  });
  await t.step("the message quotes the counts and the limit", () => {
    const check = nullRateCheck<OneFrame>({
      frame: "bars_1m",
      select: theFrame,
      entity: "symbol",
      column: "x",
      leading: 1,
      maxRate: 0.01,
    });
    assert.equal(
      check.run(inputOf(frameOf({ AAPL: [null, 2, null] })))[0]!.message,
      "null_rate.x: AAPL has 1 null in 2 rows of bars_1m.x after the first " +
        "1 rows per symbol (50%), expected at most 1%",
    );
  });
});
