import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import {
  BARS_COLUMNS,
  dedupeBars,
  isSortedBars,
  normaliseTimestamps,
  resampleBars,
  RESAMPLED_COLUMNS,
  sessionDay,
  transformBars,
  withMovingAverages,
  withReturns,
  withSessionDay,
  withVwap,
} from "@pipeline/transform/mod.ts";

/** symbol, ISO ts, open, high, low, close, volume. */
type Row = [string, string, number, number, number, number, number];

/** A valid frame (the contract of @pipeline/bars.ts) from rows, in order. */
function validFrame(rows: Row[]): pl.DataFrame {
  const column = (i: number) => rows.map((r) => r[i]);
  return pl.DataFrame([
    pl.Series("symbol", column(0), pl.Utf8),
    pl.Series("ts", rows.map((r) => new Date(r[1])), pl.Datetime("ms"))
      .cast(pl.Datetime("ms", "UTC")),
    pl.Series("open", column(2), pl.Float64),
    pl.Series("high", column(3), pl.Float64),
    pl.Series("low", column(4), pl.Float64),
    pl.Series("close", column(5), pl.Float64),
    pl.Series("volume", column(6), pl.Float64),
    pl.Series("record", rows.map((_, i) => `test:${i}`), pl.Utf8),
  ]);
}

/** A bar whose high, low and close are all `price`. */
function flat(symbol: string, ts: string, price: number, volume = 100): Row {
  return [symbol, ts, price, price, price, price, volume];
}

/** The values of column `name` as a plain array. */
function values(df: pl.DataFrame, name: string): unknown[] {
  return [...df.getColumn(name).toArray()];
}

/** The ts column as ISO strings. */
function isoTimes(df: pl.DataFrame, name = "ts"): string[] {
  return values(df, name).map((d) => (d as Date).toISOString());
}

/** A dtype as text: `Datetime(ms,UTC)`, `Float64`. */
function typeName(dtype: unknown): string {
  return String(dtype).replace(/^DataType\((.*)\)$/, "$1");
}

/** Column name → dtype as text. */
function dtypes(df: pl.DataFrame): Record<string, string> {
  return Object.fromEntries(
    Object.entries(df.schema).map(([k, v]) => [k, typeName(v)]),
  );
}

Deno.test("normaliseTimestamps() makes ts Datetime(ms, UTC)", async (t) => {
  const instants = [
    new Date("2026-01-05T14:30:00Z"),
    new Date("2026-07-01T13:31:00Z"),
  ];
  const utcMs = pl.Series("ts", instants, pl.Datetime("ms"))
    .cast(pl.Datetime("ms", "UTC"));
  const cases: [string, pl.Series][] = [
    ["already ms UTC", utcMs],
    ["tz-naive ms, read as UTC", pl.Series("ts", instants, pl.Datetime("ms"))],
    ["tz-naive us", pl.Series("ts", instants, pl.Datetime("us"))],
    [
      "Europe/Berlin",
      pl.DataFrame([utcMs]).select(
        pl.col("ts").dt.convertTimeZone("Europe/Berlin"),
      ).getColumn("ts"),
    ],
    [
      "America/New_York in us",
      pl.DataFrame([utcMs]).select(
        pl.col("ts").dt.convertTimeZone("America/New_York")
          .cast(pl.Datetime("us", "America/New_York")),
      ).getColumn("ts"),
    ],
  ];
  for (const [name, ts] of cases) {
    await t.step(name, () => {
      const out = normaliseTimestamps(pl.DataFrame([ts]));
      assert.equal(typeName(out.getColumn("ts").dtype), "Datetime(ms,UTC)");
      assert.deepEqual(isoTimes(out), instants.map((d) => d.toISOString()));
    });
  }
  await t.step("wall time of a naive column is kept as UTC", () => {
    const naive = pl.Series("ts", instants, pl.Datetime("ms"));
    const berlin = pl.DataFrame([naive]).select(
      pl.col("ts").dt.replaceTimeZone("Europe/Berlin"),
    );
    // 14:30 Berlin wall time is 13:30 UTC.
    assert.deepEqual(isoTimes(normaliseTimestamps(berlin)), [
      "2026-01-05T13:30:00.000Z",
      "2026-07-01T11:31:00.000Z",
    ]);
  });
});

Deno.test("normaliseTimestamps() rejects a ts that is not a datetime", async (t) => {
  const cases: [string, pl.DataFrame][] = [
    ["text", pl.DataFrame({ ts: ["2026-01-05T14:30:00Z"] })],
    ["missing", pl.DataFrame({ when: [1] })],
  ];
  for (const [name, df] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => normaliseTimestamps(df),
        (err: unknown) =>
          err instanceof EtlError && err.stage === "transform" &&
          err.message.includes("column ts"),
      );
    });
  }
});

Deno.test("dedupeBars() drops repeated (symbol, ts), keeps the first and counts", () => {
  const df = validFrame([
    flat("B", "2026-01-05T14:31:00Z", 20),
    flat("A", "2026-01-05T14:30:00Z", 10),
    flat("B", "2026-01-05T14:31:00Z", 20),
    flat("A", "2026-01-05T14:31:00Z", 11),
    flat("A", "2026-01-05T14:30:00Z", 10),
    flat("B", "2026-01-05T14:31:00Z", 20),
  ]);
  const { bars, duplicates } = dedupeBars(df);
  assert.equal(duplicates, 3);
  assert.deepEqual(values(bars, "symbol"), ["A", "A", "B"]);
  assert.deepEqual(isoTimes(bars), [
    "2026-01-05T14:30:00.000Z",
    "2026-01-05T14:31:00.000Z",
    "2026-01-05T14:31:00.000Z",
  ]);
  assert.deepEqual(values(bars, "record"), ["test:1", "test:3", "test:0"]);
});

Deno.test("dedupeBars() counts 0 when nothing repeats", () => {
  const df = validFrame([
    flat("A", "2026-01-05T14:30:00Z", 10),
    flat("B", "2026-01-05T14:30:00Z", 10),
  ]);
  assert.equal(dedupeBars(df).duplicates, 0);
  assert.equal(dedupeBars(df).bars.height, 2);
});

Deno.test("withReturns() divides by the previous close of the same symbol", () => {
  const df = validFrame([
    flat("B", "2026-01-05T14:31:00Z", 30),
    flat("A", "2026-01-05T14:32:00Z", 5),
    flat("A", "2026-01-05T14:30:00Z", 8),
    flat("B", "2026-01-05T14:30:00Z", 40),
    flat("A", "2026-01-05T14:33:00Z", 10),
    flat("A", "2026-01-05T14:31:00Z", 10),
  ]);
  const out = withReturns(df);
  assert.deepEqual(values(out, "symbol"), ["A", "A", "A", "A", "B", "B"]);
  assert.deepEqual(values(out, "close"), [8, 10, 5, 10, 40, 30]);
  assert.deepEqual(values(out, "ret"), [null, 0.25, -0.5, 1, null, -0.25]);
});

Deno.test("withMovingAverages() means the last window bars per symbol", async (t) => {
  const df = validFrame([
    ["A", "2026-01-05T14:30:00Z", 1, 1, 1, 1, 10],
    ["B", "2026-01-05T14:30:00Z", 7, 7, 7, 7, 1],
    ["A", "2026-01-05T14:32:00Z", 3, 3, 3, 3, 30],
    ["A", "2026-01-05T14:31:00Z", 2, 2, 2, 2, 20],
    ["B", "2026-01-05T14:31:00Z", 9, 9, 9, 9, 2],
    ["A", "2026-01-05T14:34:00Z", 5, 5, 5, 5, 50],
    ["A", "2026-01-05T14:33:00Z", 4, 4, 4, 4, 40],
    ["B", "2026-01-05T14:32:00Z", 11, 11, 11, 11, 6],
  ]);
  await t.step("window 3 names the columns after it", () => {
    const out = withMovingAverages(df, { window: 3 });
    assert.deepEqual(values(out, "symbol"), [
      "A",
      "A",
      "A",
      "A",
      "A",
      "B",
      "B",
      "B",
    ]);
    assert.deepEqual(values(out, "ma_close_3"), [
      null,
      null,
      2,
      3,
      4,
      null,
      null,
      9,
    ]);
    assert.deepEqual(values(out, "ma_volume_3"), [
      null,
      null,
      20,
      30,
      40,
      null,
      null,
      3,
    ]);
  });
  await t.step("default window 20 is null with fewer than 20 bars", () => {
    const out = withMovingAverages(df);
    assert.deepEqual(values(out, "ma_close_20"), Array(8).fill(null));
  });
  for (const window of [0, -1, 2.5, Number.NaN]) {
    await t.step(`window ${window} is rejected`, () => {
      assert.throws(
        () => withMovingAverages(df, { window }),
        (err: unknown) =>
          err instanceof EtlError && err.message.includes(`${window}`),
      );
    });
  }
});

Deno.test("sessionDay() is midnight of the New York calendar day", async (t) => {
  const cases: [string, string, string][] = [
    ["winter open", "2026-01-05T14:30:00Z", "2026-01-05T05:00:00.000Z"],
    [
      "winter 20:00 ET (next UTC day)",
      "2026-01-06T01:00:00Z",
      "2026-01-05T05:00:00.000Z",
    ],
    ["summer open", "2026-07-01T13:30:00Z", "2026-07-01T04:00:00.000Z"],
    ["summer 23:30 ET", "2026-07-01T03:30:00Z", "2026-06-30T04:00:00.000Z"],
    [
      "summer 00:30 ET (a fixed -5h would say yesterday)",
      "2026-07-01T04:30:00Z",
      "2026-07-01T04:00:00.000Z",
    ],
  ];
  for (const [name, ts, day] of cases) {
    await t.step(name, () => {
      const df = validFrame([flat("A", ts, 1)]);
      assert.deepEqual(isoTimes(df.select(sessionDay().alias("d")), "d"), [
        day,
      ]);
    });
  }
});

Deno.test("withSessionDay() adds each row's sessionDay() and keeps the row order", () => {
  // Symbols sharing timestamps, unsorted, across a DST change and on both
  // sides of UTC midnight: converted once per distinct ts, joined back.
  const times = [
    "2026-03-06T14:30:00Z",
    "2026-03-09T13:30:00Z",
    "2026-03-07T01:00:00Z",
    "2026-07-01T03:30:00Z",
    "2026-07-01T04:30:00Z",
  ];
  const rows = ["C", "A", "B"].flatMap((s, k) =>
    times.map((ts, i) => flat(s, ts, 10 * k + i))
  );
  const df = validFrame([...rows.slice(7), ...rows.slice(0, 7).reverse()]);
  const out = withSessionDay(df, "session");
  assert.deepEqual(out.columns, [...df.columns, "session"]);
  assert.ok(out.drop("session").frameEqual(df));
  assert.deepEqual(
    isoTimes(out, "session"),
    isoTimes(df.select(sessionDay().alias("d")), "d"),
  );
  assert.deepEqual(isoTimes(out, "session").slice(0, 3), [
    "2026-03-06T05:00:00.000Z",
    "2026-06-30T04:00:00.000Z",
    "2026-07-01T04:00:00.000Z",
  ]);
});

Deno.test("withVwap() accumulates per symbol and resets each New York day", () => {
  const df = validFrame([
    ["B", "2026-01-05T14:31:00Z", 30, 31, 28, 31, 0],
    // typical prices (h+l+c)/3: 11, 12, 15, 18, 20.
    ["A", "2026-01-05T14:31:00Z", 12, 13, 10, 13, 100],
    ["A", "2026-01-05T14:30:00Z", 12, 12, 9, 12, 0],
    ["B", "2026-01-05T14:30:00Z", 30, 31, 28, 31, 0],
    ["A", "2026-01-05T14:32:00Z", 15, 16, 13, 16, 200],
    // 20:00 ET on Jan 5: still the Jan 5 session although the UTC date is Jan 6.
    ["A", "2026-01-06T01:00:00Z", 18, 19, 16, 19, 300],
    ["A", "2026-01-06T14:30:00Z", 20, 21, 18, 21, 50],
  ]);
  const out = withVwap(df);
  assert.deepEqual(values(out, "symbol"), ["A", "A", "A", "A", "A", "B", "B"]);
  assert.deepEqual(values(out, "vwap"), [
    null, // no volume yet: null, not NaN
    12, // 1200 / 100
    14, // (1200 + 3000) / 300
    16, // (4200 + 5400) / 600
    20, // new session: 1000 / 50
    null,
    null,
  ]);
  assert.deepEqual(out.columns, [...df.columns, "vwap"]);
});

/** One-minute bars for the resample tests, interleaved and unsorted. */
function minuteBars(): pl.DataFrame {
  return validFrame([
    ["A", "2026-01-05T14:36:00Z", 16, 17, 15, 16, 60],
    ["A", "2026-01-05T14:30:00Z", 10, 12, 9, 11, 10],
    ["B", "2026-01-05T14:33:00Z", 50, 50, 50, 50, 0],
    ["A", "2026-01-05T14:32:00Z", 12, 15, 11, 14, 30],
    ["A", "2026-01-05T14:31:00Z", 11, 13, 8, 12, 20],
    ["A", "2026-01-05T14:34:00Z", 14, 14, 12, 13, 50],
    ["A", "2026-01-05T14:33:00Z", 14, 16, 13, 14, 40],
    ["A", "2026-01-05T15:02:00Z", 20, 21, 19, 20, 10],
    ["A", "2026-01-05T14:35:00Z", 13, 18, 13, 17, 0],
  ]);
}

Deno.test("resampleBars() aggregates clock-aligned 5-minute buckets", () => {
  const out = resampleBars(minuteBars(), { every: "5m" });
  assert.deepEqual(out.columns, [...RESAMPLED_COLUMNS]);
  assert.deepEqual(values(out, "symbol"), ["A", "A", "A", "B"]);
  assert.deepEqual(isoTimes(out), [
    "2026-01-05T14:30:00.000Z",
    "2026-01-05T14:35:00.000Z",
    "2026-01-05T15:00:00.000Z",
    "2026-01-05T14:30:00.000Z",
  ]);
  assert.deepEqual(values(out, "open"), [10, 13, 20, 50]);
  assert.deepEqual(values(out, "high"), [16, 18, 21, 50]);
  assert.deepEqual(values(out, "low"), [8, 13, 19, 50]);
  assert.deepEqual(values(out, "close"), [13, 16, 20, 50]);
  assert.deepEqual(values(out, "volume"), [150, 60, 10, 0]);
  assert.deepEqual(values(out, "bar_count"), [5, 2, 1, 1]);
  // Typical prices 14:30..14:34 are 32/3, 11, 40/3, 43/3, 13; the 14:35 bar
  // (typical 16) has no volume, 14:36 has typical 16 and volume 60.
  const [first, second, third, fourth] = values(out, "vwap") as number[];
  assert.ok(
    Math.abs(first! - (320 / 3 + 220 + 400 + 1720 / 3 + 650) / 150) < 1e-12,
  );
  assert.equal(second, 16);
  assert.equal(third, 20);
  assert.equal(fourth, null);
});

Deno.test("resampleBars() aggregates hourly buckets at :00", () => {
  const out = resampleBars(minuteBars(), { every: "1h" });
  assert.deepEqual(values(out, "symbol"), ["A", "A", "B"]);
  assert.deepEqual(isoTimes(out), [
    "2026-01-05T14:00:00.000Z",
    "2026-01-05T15:00:00.000Z",
    "2026-01-05T14:00:00.000Z",
  ]);
  assert.deepEqual(values(out, "open"), [10, 20, 50]);
  assert.deepEqual(values(out, "high"), [18, 21, 50]);
  assert.deepEqual(values(out, "low"), [8, 19, 50]);
  assert.deepEqual(values(out, "close"), [16, 20, 50]);
  assert.deepEqual(values(out, "volume"), [210, 10, 0]);
  assert.deepEqual(values(out, "bar_count"), [7, 1, 1]);
  assert.deepEqual(values(out, "vwap").slice(1), [20, null]);
});

Deno.test("isSortedBars() wants strictly ascending (symbol, ts)", async (t) => {
  const cases: [string, Row[], boolean][] = [
    ["empty", [], true],
    ["sorted", [
      flat("A", "2026-01-05T14:30:00Z", 1),
      flat("A", "2026-01-05T14:31:00Z", 1),
      flat("B", "2026-01-05T14:30:00Z", 1),
    ], true],
    ["ts backwards", [
      flat("A", "2026-01-05T14:31:00Z", 1),
      flat("A", "2026-01-05T14:30:00Z", 1),
    ], false],
    ["symbols interleaved", [
      flat("A", "2026-01-05T14:30:00Z", 1),
      flat("B", "2026-01-05T14:30:00Z", 1),
      flat("A", "2026-01-05T14:31:00Z", 1),
    ], false],
    ["a duplicate", [
      flat("A", "2026-01-05T14:30:00Z", 1),
      flat("A", "2026-01-05T14:30:00Z", 1),
    ], false],
  ];
  for (const [name, rows, sorted] of cases) {
    await t.step(name, () => {
      assert.equal(isSortedBars(validFrame(rows)), sorted);
    });
  }
});

Deno.test("transformBars() returns the table columns, dtypes and order", () => {
  const { bars, bars5m, bars1h, duplicates } = transformBars(
    pl.concat([minuteBars(), minuteBars().head(2)]),
  );
  assert.equal(duplicates, 2);
  assert.deepEqual(bars.columns, [...BARS_COLUMNS]);
  assert.deepEqual(dtypes(bars), {
    symbol: "String",
    ts: "Datetime(ms,UTC)",
    open: "Float64",
    high: "Float64",
    low: "Float64",
    close: "Float64",
    volume: "Float64",
    ret: "Float64",
    ma_close_20: "Float64",
    ma_volume_20: "Float64",
    vwap: "Float64",
  });
  for (const frame of [bars5m, bars1h]) {
    assert.deepEqual(dtypes(frame), {
      symbol: "String",
      ts: "Datetime(ms,UTC)",
      open: "Float64",
      high: "Float64",
      low: "Float64",
      close: "Float64",
      volume: "Float64",
      vwap: "Float64",
      bar_count: "Int32",
    });
  }
  assert.deepEqual(values(bars, "symbol"), [...Array(8).fill("A"), "B"]);
  assert.deepEqual(isoTimes(bars).slice(0, 8), [
    "2026-01-05T14:30:00.000Z",
    "2026-01-05T14:31:00.000Z",
    "2026-01-05T14:32:00.000Z",
    "2026-01-05T14:33:00.000Z",
    "2026-01-05T14:34:00.000Z",
    "2026-01-05T14:35:00.000Z",
    "2026-01-05T14:36:00.000Z",
    "2026-01-05T15:02:00.000Z",
  ]);
  assert.deepEqual(values(bars, "close"), [11, 12, 14, 14, 13, 17, 16, 20, 50]);
  assert.deepEqual(values(bars5m, "bar_count"), [5, 2, 1, 1]);
  assert.deepEqual(values(bars1h, "bar_count"), [7, 1, 1]);
});

Deno.test("transformBars() uses a 20-bar moving average", () => {
  const rows: Row[] = Array.from({ length: 21 }, (_, i) =>
    flat(
      "A",
      new Date(Date.UTC(2026, 0, 5, 14, 30 + i)).toISOString(),
      i + 1,
      10 * (i + 1),
    ));
  const { bars } = transformBars(validFrame(rows.reverse()));
  const ma = values(bars, "ma_close_20");
  assert.deepEqual(ma.slice(0, 19), Array(19).fill(null));
  assert.deepEqual(ma.slice(19), [10.5, 11.5]);
  assert.deepEqual(values(bars, "ma_volume_20").slice(19), [105, 115]);
});

Deno.test("transformBars() normalises a non-UTC ts before everything else", () => {
  const utc = minuteBars();
  const berlin = utc.withColumns(
    pl.col("ts").dt.convertTimeZone("Europe/Berlin"),
  );
  const a = transformBars(utc);
  const b = transformBars(berlin);
  assert.equal(typeName(b.bars.getColumn("ts").dtype), "Datetime(ms,UTC)");
  assert.ok(b.bars.frameEqual(a.bars, true));
  assert.ok(b.bars5m.frameEqual(a.bars5m, true));
  assert.ok(b.bars1h.frameEqual(a.bars1h, true));
});

Deno.test("transformBars() keeps empty frames typed", () => {
  const { bars, bars5m, bars1h, duplicates } = transformBars(validFrame([]));
  assert.equal(duplicates, 0);
  assert.deepEqual([bars.height, bars5m.height, bars1h.height], [0, 0, 0]);
  assert.deepEqual(bars.columns, [...BARS_COLUMNS]);
  assert.deepEqual(bars5m.columns, [...RESAMPLED_COLUMNS]);
  assert.equal(typeName(bars.getColumn("ts").dtype), "Datetime(ms,UTC)");
});

Deno.test("transformBars() names missing columns in an EtlError", () => {
  const df = minuteBars().drop("volume");
  assert.throws(
    () => transformBars(df),
    (err: unknown) =>
      err instanceof EtlError && err.stage === "transform" &&
      err.message.includes("missing column(s) volume"),
  );
});
