/**
 * The prices page's granularity follows its range; its bars are merged into
 * at most MAX_CANDLES candles of the warehouse's values; the unfinished
 * session is the one trading at the server's "now".
 */
import assert from "node:assert/strict";
import { closeCatalogs, withCatalog } from "@pipeline/serve/catalog.ts";
import {
  dayPartitions,
  granularityFor,
  MAX_CANDLES,
  pricesParams,
  readBars,
} from "@pipeline/serve/prices_query.ts";
import { openSessionStart, unfinishedFrom } from "@pipeline/serve/session.ts";
import { serveFixture } from "./_fixture.ts";

Deno.test("granularity: 1m for a day, 5m up to a week, 1h up to a quarter, then 1d", () => {
  const widths = [1, 2, 7, 8, 92, 93, 400].map((d) => granularityFor(d).label);
  assert.deepEqual(widths, ["1m", "5m", "5m", "1h", "1h", "1d", "1d"]);
  assert.equal(granularityFor(3).table, "bars_5m");
});

Deno.test("the session trading now: opened, not yet closed, a trading day", () => {
  const open = openSessionStart(new Date("2026-11-20T18:00:00Z"));
  assert.equal(open?.toISOString(), "2026-11-20T14:30:00.000Z");
  assert.equal(openSessionStart(new Date("2026-11-20T21:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-20T14:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-21T18:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-26T18:00:00Z")), undefined);
  const now = new Date("2026-11-20T18:00:00Z");
  assert.equal(
    unfinishedFrom(new Date("2026-11-20T17:59:00Z"), now)?.toISOString(),
    "2026-11-20T14:30:00.000Z",
  );
  assert.equal(
    unfinishedFrom(new Date("2026-11-19T20:59:00Z"), now),
    undefined,
  );
});

Deno.test("readBars() merges a session of 1m bars into 2m candles of their values", async () => {
  const fixture = await serveFixture();
  try {
    await withCatalog(fixture.dataDir, async (reader) => {
      const url = new URL(
        "http://h/prices?symbol=MSFT&from=2026-11-20&to=2026-11-20",
      );
      const params = await pricesParams(reader, url);
      const raw = await readBars(reader, params, "MSFT", { maxCandles: 1e6 });
      assert.equal(raw.width, "1m");
      const groups = Map.groupBy(
        raw.bars,
        (b) => Math.floor(b.ts.getTime() / 120_000) * 120_000,
      );
      assert.ok(raw.bars.length > MAX_CANDLES);
      const drawn = await readBars(reader, params, "MSFT");
      assert.equal(drawn.width, "2m");
      assert.equal(drawn.bars.length, groups.size);
      assert.ok(drawn.bars.length <= MAX_CANDLES);
      for (const candle of drawn.bars) {
        const group = groups.get(candle.ts.getTime())!;
        const [a, b] = [group[0]!, group.at(-1)!];
        assert.equal(candle.open, a.open);
        assert.equal(candle.close, b.close);
        assert.equal(candle.high, Math.max(...group.map((g) => g.high)));
        assert.equal(candle.low, Math.min(...group.map((g) => g.low)));
        assert.equal(candle.volume, group.reduce((s, g) => s + g.volume, 0));
        // 1m VWAP is the session's so far: the candle's is its last bar's.
        assert.equal(candle.vwap, b.vwap);
      }
      const ma = drawn.bars.slice(0, 20).reduce((s, c) => s + c.close, 0) /
        20;
      assert.equal(drawn.bars[18]!.ma20, null);
      assert.ok(Math.abs(drawn.bars[19]!.ma20! - ma) < 1e-9);
      const tail = drawn.bars.slice(-20).reduce((s, c) => s + c.close, 0) / 20;
      assert.ok(Math.abs(drawn.bars.at(-1)!.ma20! - tail) < 1e-9);
      const fixed = await readBars(reader, params, "AAPL", { width: "5m" });
      assert.equal(fixed.width, "5m");
      assert.ok(fixed.bars.length > 70 && fixed.bars.length <= 78);
    });
  } finally {
    closeCatalogs();
    await fixture.dispose();
  }
});

Deno.test("dayPartitions() narrows the lake view to the range's partition folders", async () => {
  const fixture = await serveFixture();
  try {
    await withCatalog(fixture.dataDir, async (reader) => {
      const source = await dayPartitions(
        reader,
        "bars_1m",
        "2026-11-18",
        "2026-11-22",
      );
      assert.ok(source, "the fixture has partitions in the range");
      assert.match(
        source,
        /read_parquet\(\['lake\/bars_1m\/date=2026-11-19\/\*\.parquet', 'lake\/bars_1m\/date=2026-11-20\/\*\.parquet'\]/,
      );
      assert.match(source, /union_by_name/);
      assert.doesNotMatch(source, /date=\*/);
      const [narrowed] = await reader.rows(
        `SELECT count(*) AS n FROM ${source}`,
      );
      const [whole] = await reader.rows(
        `SELECT count(*) AS n FROM bars_1m WHERE date BETWEEN '2026-11-18' AND '2026-11-22'`,
      );
      assert.equal(narrowed!.n, whole!.n);
      assert.equal(
        await dayPartitions(reader, "bars_1m", "2020-01-01", "2020-01-02"),
        null,
      );
      const url = new URL("http://h/prices?from=2020-01-01&to=2020-01-02");
      const params = await pricesParams(reader, url);
      assert.deepEqual((await readBars(reader, params, "AAPL")).bars, []);
    });
  } finally {
    closeCatalogs();
    await fixture.dispose();
  }
});
