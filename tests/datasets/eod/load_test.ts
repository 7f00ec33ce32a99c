import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { loadDataset } from "@pipeline/datasets/load_dataset.ts";
import {
  eodDataset,
  readEodFile,
  transformEod,
  validateEod,
} from "@pipeline/datasets/eod/mod.ts";
import { NOW, SP500_CSV, SP500_ROWS } from "./_sp500.ts";

/** The S&P 500 sample as valid bars of `symbol`. */
async function sp500(symbol = "SPX"): Promise<pl.DataFrame> {
  const raw = await readEodFile(SP500_CSV, { symbol });
  return validateEod(raw, { now: NOW }).valid;
}

/**
 * Loads valid bars in one transaction as the runner does (the merge, then
 * the derived `ret` recomputed by the generic load); the result of eod_bars.
 */
async function load(client: SqlClient, valid: pl.DataFrame) {
  const { bars } = transformEod(valid);
  const [result] = await client.transaction((tx) =>
    loadDataset(tx, eodDataset, { bars }, { loadId: crypto.randomUUID() })
  );
  assert.ok(result);
  return result;
}

/** eod_bars as (symbol, ts ms, close, ret), in key order. */
async function table(client: SqlClient) {
  const { rows } = await client.query<
    { symbol: string; ts: Date; close: number; ret: number | null }
  >("SELECT symbol, ts, close, ret FROM eod_bars ORDER BY symbol, ts");
  return rows.map((r) => [r.symbol, new Date(r.ts).getTime(), r.close, r.ret]);
}

/** What one load of `valid` makes of the table: the transform's rows. */
function expected(valid: pl.DataFrame) {
  return transformEod(valid).bars.select("symbol", "ts", "close", "ret")
    .rows().map(([s, ts, c, r]) => [s, (ts as Date).getTime(), c, r]);
}

dbTest(
  "loadDataset(eod) loads the S&P 500 sample, and an identical re-load changes nothing",
  async ({ client }) => {
    const valid = await sp500();
    const first = await load(client, valid);
    assert.equal(first.inserted, SP500_ROWS);
    assert.deepEqual(await table(client), expected(valid));
    const again = await load(client, valid);
    assert.deepEqual(
      [again.inserted, again.updated, again.unchanged, again.recomputed ?? 0],
      [0, 0, SP500_ROWS, 0],
    );
  },
);

dbTest(
  "loadDataset(eod) recomputes ret from the warehouse after a correction and out-of-order batches",
  async ({ client }) => {
    const valid = await sp500();
    const ts = pl.col("ts");
    const utc = (iso: string) =>
      pl.lit(new Date(iso)).dt.replaceTimeZone("UTC");
    const cut = utc("2010-01-01T00:00:00Z");
    // The later half first, then the earlier half: 2010's first ret is only
    // known once 2009 is in.
    await load(client, valid.filter(ts.gtEq(cut)));
    await load(client, valid.filter(ts.lt(cut)));
    assert.deepEqual(await table(client), expected(valid));

    // A one-row correction of 2010-05-06 (the flash crash): its ret and the
    // next day's change, nothing else.
    const day = utc("2010-05-06T00:00:00Z");
    const corrected = valid.withColumns(
      pl.when(ts.eq(day)).then(pl.col("close").mul(1.01))
        .otherwise(pl.col("close")).alias("close"),
      pl.when(ts.eq(day)).then(pl.col("high").mul(1.01))
        .otherwise(pl.col("high")).alias("high"),
    );
    const before = await table(client);
    const fix = await load(client, corrected.filter(ts.eq(day)));
    assert.equal(fix.updated, 1);
    assert.equal(fix.recomputed, 1); // the next day's ret
    const after = await table(client);
    assert.deepEqual(after, expected(corrected));
    const changed = after.filter((r, i) => r[3] !== before[i]![3]);
    assert.deepEqual(
      changed.map((r) => new Date(r[1] as number).toISOString().slice(0, 10)),
      ["2010-05-06", "2010-05-07"],
    );
  },
);

dbTest("loadDataset(eod) keeps symbols apart", async ({ client }) => {
  const both = pl.concat([await sp500("SPX"), await sp500("SPY")], {
    how: "vertical",
  });
  const result = await load(client, both);
  assert.equal(result.inserted, 2 * SP500_ROWS);
  const { rows } = await client.query<{ symbol: string; n: number }>(
    "SELECT symbol, count(ret)::int AS n FROM eod_bars GROUP BY 1 ORDER BY 1",
  );
  assert.deepEqual(rows, [
    { symbol: "SPX", n: SP500_ROWS - 1 },
    { symbol: "SPY", n: SP500_ROWS - 1 },
  ]);
});
