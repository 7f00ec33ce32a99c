import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { BAR_FIELDS, PRICE_FIELDS } from "@pipeline/bars.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  DEFAULT_SYMBOLS,
  syntheticBars,
  type SyntheticOptions,
} from "@pipeline/extract/synthetic.ts";

const FRIDAY_CLOSE = fixedClock("2026-11-20T22:00:00Z");
const RAW_COLUMNS = [...BAR_FIELDS, "record"];

/** The values of a Utf8 column. */
const texts = (frame: pl.DataFrame, column: string) =>
  frame.getColumn(column).toArray() as (string | null)[];

/** A numeric view of a raw frame's number columns (bad text → null). */
const numbers = (frame: pl.DataFrame) =>
  frame.select(
    ...[...PRICE_FIELDS, "volume"].map((f) =>
      pl.col(f).cast(pl.Float64, false)
    ),
  );

Deno.test("syntheticBars() returns a raw frame: the bar fields and record, all Utf8", () => {
  const raw = syntheticBars({
    clock: FRIDAY_CLOSE,
    symbols: ["AAPL"],
    sessions: 1,
  });
  assert.deepEqual(raw.columns, RAW_COLUMNS);
  assert.deepEqual(
    raw.dtypes.map((d) => d.variant),
    RAW_COLUMNS.map(() => "String"),
  );
});

Deno.test("syntheticBars() defaults to 10 symbols, 5 sessions of 390 bars", () => {
  const raw = syntheticBars({ clock: FRIDAY_CLOSE, defectRate: 0 });
  assert.equal(DEFAULT_SYMBOLS.length, 10);
  assert.equal(raw.height, 10 * 5 * 390);
  assert.deepEqual(
    raw.select(pl.col("symbol").unique({ maintainOrder: true })).getColumn(
      "symbol",
    )
      .toArray(),
    [...DEFAULT_SYMBOLS],
  );
});

Deno.test("syntheticBars() emits exchange-local ts and a UTC record name", () => {
  const raw = syntheticBars({
    clock: FRIDAY_CLOSE,
    symbols: ["MSFT"],
    sessions: 1,
    defectRate: 0,
  });
  assert.equal(raw.getColumn("ts").get(0), "2026-11-20T09:30:00-05:00");
  assert.equal(
    raw.getColumn("record").get(0),
    "synthetic:MSFT:2026-11-20T14:30:00Z",
  );
  assert.equal(raw.getColumn("ts").get(389), "2026-11-20T15:59:00-05:00");
  assert.equal(
    raw.getColumn("record").get(389),
    "synthetic:MSFT:2026-11-20T20:59:00Z",
  );
});

Deno.test("syntheticBars() is deterministic for the same options", () => {
  const options: SyntheticOptions = {
    clock: FRIDAY_CLOSE,
    sessions: 2,
    defectRate: 0.05,
  };
  assert.ok(syntheticBars(options).frameEqual(syntheticBars(options), true));
});

Deno.test("syntheticBars() gives the same bars for minutes shared by overlapping windows", () => {
  const week = syntheticBars({
    clock: FRIDAY_CLOSE,
    sessions: 5,
    defectRate: 0.05,
  });
  // Wednesday 11:00 New York time, three sessions back: Monday to Wednesday morning.
  const cutoff = "2026-11-18T16:00:00Z";
  const partial = syntheticBars({
    clock: fixedClock(cutoff),
    sessions: 3,
    defectRate: 0.05,
  });
  const minute = pl.col("record").str.extract(
    "(\\d{4}-\\d{2}-\\d{2}T[0-9:]+Z)",
    1,
  );
  const shared = week.filter(minute.ltEq(pl.lit(cutoff)));
  assert.ok(
    partial.height > 2 * 390 * 10,
    `partial has ${partial.height} rows`,
  );
  assert.equal(shared.height, partial.height);
  assert.ok(shared.frameEqual(partial, true));
});

Deno.test("syntheticBars() only emits minutes up to now", () => {
  const raw = syntheticBars({
    clock: fixedClock("2026-11-20T15:00:30Z"),
    symbols: ["AAPL"],
    sessions: 1,
    defectRate: 0,
  });
  assert.equal(raw.height, 31); // 09:30 … 10:00
  assert.equal(
    raw.getColumn("record").get(30),
    "synthetic:AAPL:2026-11-20T15:00:00Z",
  );
});

Deno.test("syntheticBars() depends on the seed", () => {
  const options = {
    clock: FRIDAY_CLOSE,
    symbols: ["AAPL"],
    sessions: 1,
    defectRate: 0,
  };
  const a = texts(syntheticBars({ ...options, seed: 1 }), "close");
  const b = texts(syntheticBars({ ...options, seed: 2 }), "close");
  assert.notDeepEqual(a, b);
});

Deno.test("syntheticBars() opens at 13:30Z after the US DST change and 14:30Z before", async (t) => {
  const cases = [
    {
      name: "spring forward (2026-03-08)",
      now: "2026-03-09T22:00:00Z",
      before: [
        "2026-03-06T09:30:00-05:00",
        "synthetic:AAPL:2026-03-06T14:30:00Z",
      ],
      after: [
        "2026-03-09T09:30:00-04:00",
        "synthetic:AAPL:2026-03-09T13:30:00Z",
      ],
    },
    {
      name: "fall back (2026-11-01)",
      now: "2026-11-02T22:00:00Z",
      before: [
        "2026-10-30T09:30:00-04:00",
        "synthetic:AAPL:2026-10-30T13:30:00Z",
      ],
      after: [
        "2026-11-02T09:30:00-05:00",
        "synthetic:AAPL:2026-11-02T14:30:00Z",
      ],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const raw = syntheticBars({
        clock: fixedClock(c.now),
        symbols: ["AAPL"],
        sessions: 2,
        defectRate: 0,
      });
      assert.equal(raw.height, 780);
      assert.deepEqual([
        raw.getColumn("ts").get(0),
        raw.getColumn("record").get(0),
      ], c.before);
      assert.deepEqual(
        [raw.getColumn("ts").get(390), raw.getColumn("record").get(390)],
        c.after,
      );
    });
  }
});

Deno.test("syntheticBars() skips weekends and NYSE holidays", () => {
  const raw = syntheticBars({
    clock: fixedClock("2026-11-30T22:00:00Z"),
    symbols: ["JPM"],
    sessions: 4,
    defectRate: 0,
  });
  const days = raw.select(
    pl.col("ts").str.slice(0, 10).unique({ maintainOrder: true }),
  )
    .getColumn("ts").toArray();
  // Thanksgiving (Thursday 26th) and the weekend are skipped.
  assert.deepEqual(days, [
    "2026-11-24",
    "2026-11-25",
    "2026-11-27",
    "2026-11-30",
  ]);
});

Deno.test("syntheticBars() with defect rate 0 gives consistent OHLC bars in cents", () => {
  const raw = syntheticBars({ clock: FRIDAY_CLOSE, defectRate: 0 });
  const n = numbers(raw);
  assert.equal(raw.filter(pl.col("record").str.contains("#")).height, 0);
  for (const f of RAW_COLUMNS) assert.equal(raw.getColumn(f).nullCount(), 0, f);
  for (const f of [...PRICE_FIELDS, "volume"]) {
    assert.equal(n.getColumn(f).nullCount(), 0, f);
  }
  const broken = n.filter(
    pl.col("high").lt(pl.maxHorizontal([pl.col("open"), pl.col("close")]))
      .or(pl.col("low").gt(pl.minHorizontal([pl.col("open"), pl.col("close")])))
      .or(pl.col("low").ltEq(0))
      .or(pl.col("volume").lt(1))
      .or(pl.col("volume").neq(pl.col("volume").round(0))),
  );
  assert.equal(broken.height, 0);
  const notCents = n.filter(pl.anyHorizontal(
    PRICE_FIELDS.map((f) =>
      pl.col(f).mul(100).sub(pl.col(f).mul(100).round(0)).abs().gt(1e-6)
    ),
  ));
  assert.equal(notCents.height, 0);
});

Deno.test("syntheticBars() prices move like a random walk, volume is U-shaped", () => {
  const raw = syntheticBars({
    clock: FRIDAY_CLOSE,
    symbols: ["NVDA"],
    sessions: 5,
    defectRate: 0,
  });
  const closes = numbers(raw).getColumn("close").toArray() as number[];
  const returns = closes.slice(1).map((c, i) => Math.log(c / closes[i]!));
  const biggest = Math.max(...returns.map(Math.abs));
  assert.ok(biggest < 0.05, `largest one-minute move ${biggest}`);
  assert.ok(new Set(closes).size > 50, "prices vary");
  const volume = numbers(raw).getColumn("volume").toArray() as number[];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const edges: number[] = [];
  const middle: number[] = [];
  volume.forEach((v, i) =>
    (i % 390 < 30 || i % 390 >= 360 ? edges : middle).push(v)
  );
  assert.ok(
    mean(edges) > 1.5 * mean(middle),
    `${mean(edges)} vs ${mean(middle)}`,
  );
});

Deno.test("syntheticBars() injects every defect kind at the defect rate", () => {
  const now = FRIDAY_CLOSE.now();
  const raw = syntheticBars({ clock: FRIDAY_CLOSE, defectRate: 0.05 });
  const n = numbers(raw);
  const withNumbers = pl.concat([
    raw.select("symbol", "ts", "record"),
    n.rename(
      Object.fromEntries([...PRICE_FIELDS, "volume"].map((f) => [f, `n_${f}`])),
    ),
    raw.select(
      ...[...PRICE_FIELDS, "volume"].map((f) => pl.col(f).alias(`t_${f}`)),
    ),
  ], { how: "horizontal" });
  const anyPrice = (test: (f: string) => pl.Expr) =>
    pl.anyHorizontal(PRICE_FIELDS.map(test));
  const positive = pl.allHorizontal(
    PRICE_FIELDS.map((f) =>
      pl.col(`n_${f}`).isFinite().and(pl.col(`n_${f}`).gt(0))
    ),
  );
  const copies = raw.filter(pl.col("record").str.endsWith("#2"));
  const originals = raw.filter(
    pl.col("record").isIn(
      pl.lit(
        copies.select(pl.col("record").str.replace("#2", "", true)).getColumn(
          "record",
        ),
      ),
    ),
  );
  const exact = copies.select(...BAR_FIELDS)
    .frameEqual(originals.select(...BAR_FIELDS));
  assert.equal(exact, false, "some duplicates conflict");
  const sameClose = texts(copies, "close").filter((c, i) =>
    c === texts(originals, "close")[i]
  );
  const kinds: Record<string, number> = {
    missing:
      raw.filter(pl.anyHorizontal(BAR_FIELDS.map((f) => pl.col(f).isNull())))
        .height,
    wrongType: withNumbers.filter(
      anyPrice((f) =>
        pl.col(`t_${f}`).isNotNull().and(pl.col(`n_${f}`).isNull())
      ),
    ).height,
    nan: withNumbers.filter(anyPrice((f) => pl.col(`t_${f}`).eq(pl.lit("NaN"))))
      .height,
    infinity:
      withNumbers.filter(anyPrice((f) => pl.col(`n_${f}`).isInfinite())).height,
    nonPositive: withNumbers.filter(
      anyPrice((f) =>
        pl.col(`n_${f}`).ltEq(0).and(pl.col(`n_${f}`).isFinite())
      ),
    ).height,
    highBelow: withNumbers.filter(
      positive.and(
        pl.col("n_high").lt(
          pl.maxHorizontal([pl.col("n_open"), pl.col("n_close")]),
        ),
      ),
    ).height,
    lowAbove: withNumbers.filter(
      positive.and(
        pl.col("n_low").gt(
          pl.minHorizontal([pl.col("n_open"), pl.col("n_close")]),
        ),
      ),
    ).height,
    negativeVolume: n.filter(pl.col("volume").lt(0)).height,
    badTimestamp: raw.filter(
      pl.col("ts").str.strptime(pl.Datetime("ms"), "%+").isNull()
        .and(pl.col("ts").isNotNull()),
    ).height,
    futureTimestamp: raw.filter(
      pl.col("ts").str.strptime(pl.Datetime("ms"), "%+").cast(
        pl.Datetime("ms", "UTC"),
      )
        .cast(pl.Int64).gt(now.getTime()),
    ).height,
    exactDuplicate: sameClose.length,
    conflictingDuplicate: copies.height - sameClose.length,
  };
  const defects = raw.height * 0.05 / 1.05;
  for (const [kind, count] of Object.entries(kinds)) {
    // about 1/12 of the defects each; wide bounds, the draw is seeded
    assert.ok(count > defects / 12 / 3, `${kind}: ${count}`);
    assert.ok(count < (defects / 12) * 3, `${kind}: ${count}`);
  }
});

Deno.test("syntheticBars() rejects bad options with an extract EtlError", async (t) => {
  const cases: [string, Partial<SyntheticOptions>, RegExp][] = [
    [
      "negative sessions",
      { sessions: -1 },
      /sessions must be a non-negative integer/,
    ],
    ["fractional sessions", { sessions: 1.5 }, /sessions/],
    [
      "defect rate above 1",
      { defectRate: 2 },
      /defectRate must be between 0 and 1/,
    ],
    ["NaN defect rate", { defectRate: Number.NaN }, /defectRate/],
    [
      "empty symbol",
      { symbols: ["AAPL", ""] },
      /symbols must be non-empty strings/,
    ],
    [
      "a date before the origin",
      { clock: fixedClock("1999-06-01T20:00:00Z") },
      /2000-01-03/,
    ],
  ];
  for (const [name, options, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => syntheticBars({ clock: FRIDAY_CLOSE, ...options }),
        (err) =>
          err instanceof EtlError && err.stage === "extract" &&
          message.test(err.message),
      );
    });
  }
});

Deno.test("syntheticBars() with zero sessions or symbols gives an empty raw frame", () => {
  for (
    const raw of [
      syntheticBars({ clock: FRIDAY_CLOSE, sessions: 0 }),
      syntheticBars({ clock: FRIDAY_CLOSE, symbols: [] }),
    ]
  ) {
    assert.equal(raw.height, 0);
    assert.deepEqual(raw.columns, RAW_COLUMNS);
  }
});
