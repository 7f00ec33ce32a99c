import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { redactFrame } from "@pipeline/ops/secrets.ts";

Deno.test("redactFrame() replaces configured secrets and secret parameters in text columns", async (t) => {
  const frame = pl.DataFrame({
    symbol: ["KEY123456", "AAPL", "MSFT", null],
    note: ["ok", "echo KEY123456 twice KEY123456", "url?apikey=abc&x=1", "x"],
    volume: [1, 2, 3, 4],
    record: ["r1", "r2", "r3", "r4"],
  });
  await t.step("every occurrence in every text column", () => {
    const out = redactFrame(frame, ["KEY123456"]);
    assert.deepEqual(out.getColumn("symbol").toArray(), [
      "***",
      "AAPL",
      "MSFT",
      null,
    ]);
    assert.deepEqual(out.getColumn("note").toArray(), [
      "ok",
      "echo *** twice ***",
      "url?apikey=***&x=1",
      "x",
    ]);
    assert.deepEqual(out.getColumn("volume").toArray(), [1, 2, 3, 4]);
  });
  await t.step("a secret with regex characters is matched literally", () => {
    const out = redactFrame(
      pl.DataFrame({ s: ["a+b.c*d", "aXbYcZd"] }),
      ["a+b.c*d"],
    );
    assert.deepEqual(out.getColumn("s").toArray(), ["***", "aXbYcZd"]);
  });
  await t.step("a frame without secrets comes back as it was", () => {
    const clean = frame.filter(pl.col("record").eq(pl.lit("r1")).not())
      .filter(pl.col("record").eq(pl.lit("r2")).not())
      .filter(pl.col("record").eq(pl.lit("r3")).not());
    assert.equal(redactFrame(clean, ["KEY123456"]), clean);
  });
  await t.step("found in any one column, in any row", () => {
    // Each text column searched on its own: a hit in the last column of
    // the last row only, and a column of nulls beside it.
    const base = {
      a: ["x", "y", "z"],
      none: [null, null, null] as (string | null)[],
      b: ["x", "y", "z"],
    };
    const param = redactFrame(
      pl.DataFrame({ ...base, b: ["x", "y", "?token=abcd"] }),
      [],
    );
    assert.deepEqual(param.getColumn("b").toArray(), ["x", "y", "?token=***"]);
    const secret = redactFrame(
      pl.DataFrame({ ...base, b: ["x", "y", "KEY123456"] }),
      ["KEY123456"],
    );
    assert.deepEqual(secret.getColumn("b").toArray(), ["x", "y", "***"]);
    const clean = pl.DataFrame(base);
    assert.equal(redactFrame(clean, ["KEY123456"]), clean);
  });
  await t.step("secrets shorter than 4 characters are ignored", () => {
    const out = redactFrame(pl.DataFrame({ s: ["abc"] }), ["abc"]);
    assert.deepEqual(out.getColumn("s").toArray(), ["abc"]);
  });
});
