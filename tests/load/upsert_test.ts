import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { BARS_1M } from "@pipeline/load/bars.ts";
import { upsertFrame } from "@pipeline/load/upsert.ts";

const T0 = Date.UTC(2026, 10, 20, 14, 30);

function bars(symbols: string[], minutes: number[], close = 100): pl.DataFrame {
  const symbol: string[] = [], ts: number[] = [];
  for (const s of symbols) {
    for (const m of minutes) {
      symbol.push(s);
      ts.push(T0 + m * 60_000);
    }
  }
  const n = symbol.length;
  const f = (v: number) => Array(n).fill(v) as number[];
  return pl.DataFrame({
    symbol,
    ts,
    open: f(close),
    high: f(close + 1),
    low: f(close - 1),
    close: f(close),
    volume: f(1000),
    ret: f(0.001),
    ma_close_20: Array(n).fill(null),
    ma_volume_20: f(1000),
    vwap: f(close),
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

async function count(
  db: { client: { query: (s: string) => Promise<{ rows: unknown[] }> } },
) {
  const { rows } = await db.client.query(
    "SELECT count(*)::int AS n FROM bars_1m",
  );
  return (rows[0] as { n: number }).n;
}

dbTest("upsertFrame() copies a fresh batch straight in", async (db) => {
  const loadId = crypto.randomUUID();
  const r = await db.client.transaction((tx) =>
    upsertFrame(tx, BARS_1M, bars(["AAPL", "MSFT"], [0, 1, 2]), { loadId })
  );
  assert.deepEqual(r, {
    table: "bars_1m",
    rows: 6,
    inserted: 6,
    updated: 0,
    unchanged: 0,
  });
  assert.equal(await count(db), 6);
  const { rows } = await db.client.query<
    { ts: Date; close: number; ma_close_20: number | null; load_id: string }
  >(
    "SELECT ts, close, ma_close_20, load_id FROM bars_1m WHERE symbol = 'MSFT' ORDER BY ts LIMIT 1",
  );
  assert.equal(new Date(rows[0]!.ts).getTime(), T0);
  assert.equal(rows[0]!.close, 100);
  assert.equal(rows[0]!.ma_close_20, null);
  assert.equal(rows[0]!.load_id, loadId);
});

dbTest("upsertFrame() re-run of the same batch changes nothing", async (db) => {
  const first = crypto.randomUUID(), second = crypto.randomUUID();
  const batch = bars(["AAPL"], [0, 1, 2, 3]);
  await db.client.transaction((tx) =>
    upsertFrame(tx, BARS_1M, batch, { loadId: first })
  );
  const r = await db.client.transaction((tx) =>
    upsertFrame(tx, BARS_1M, batch, { loadId: second })
  );
  assert.deepEqual([r.inserted, r.updated, r.unchanged], [0, 0, 4]);
  const { rows } = await db.client.query<{ load_id: string }>(
    "SELECT DISTINCT load_id FROM bars_1m",
  );
  assert.deepEqual(rows.map((r) => r.load_id), [first]);
});

dbTest(
  "upsertFrame() merges an overlapping batch: new, changed and same rows",
  async (db) => {
    await db.client.transaction((tx) =>
      upsertFrame(tx, BARS_1M, bars(["AAPL"], [0, 1, 2]), {
        loadId: crypto.randomUUID(),
      })
    );
    // minute 2 corrected, 3..4 new, and minute -1 before the span: new.
    const corrected = bars(["AAPL"], [2], 101);
    const batch = pl.concat([
      bars(["AAPL"], [-1, 1]),
      corrected,
      bars(["AAPL"], [3, 4]),
    ]);
    const r = await db.client.transaction((tx) =>
      upsertFrame(tx, BARS_1M, batch, { loadId: crypto.randomUUID() })
    );
    assert.deepEqual([r.rows, r.inserted, r.updated, r.unchanged], [
      5,
      3,
      1,
      1,
    ]);
    assert.equal(await count(db), 6);
    const { rows } = await db.client.query<{ close: number }>(
      "SELECT close FROM bars_1m WHERE ts = $1",
      [new Date(T0 + 2 * 60_000).toISOString()],
    );
    assert.equal(rows[0]!.close, 101);
  },
);

dbTest("upsertFrame() in a failed transaction leaves nothing", async (db) => {
  await assert.rejects(
    db.client.transaction(async (tx) => {
      await upsertFrame(tx, BARS_1M, bars(["AAPL"], [0, 1]), {
        loadId: crypto.randomUUID(),
      });
      throw new Error("boom after the copy");
    }),
    /boom after the copy/,
  );
  assert.equal(await count(db), 0);
});
