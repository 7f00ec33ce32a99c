import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import {
  BAR_FIELDS,
  type BarField,
  BarSchema,
  QUARANTINE_COLUMNS,
  QuarantineRowSchema,
  SymbolSchema,
} from "@pipeline/bars.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { readBarFile } from "@pipeline/extract/file.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import {
  barSchemaMessage,
  validateBars,
  type ValidateBarsOptions,
} from "@pipeline/validate/bars.ts";

const NOW = new Date("2026-11-21T00:00:00Z");

/** A record as text, null for a missing field. */
type RawRecord = Partial<Record<BarField | "record", string | null>>;

/** A valid bar: AAPL at 09:30 New York time on 2026-11-20. */
const GOOD: Required<RawRecord> = {
  symbol: "AAPL",
  ts: "2026-11-20T09:30:00-05:00",
  open: "190.10",
  high: "190.50",
  low: "190.00",
  close: "190.25",
  volume: "1200",
  record: "in.csv:2",
};

/** A RAW frame of `records`, each a patch over {@link GOOD}. */
function rawFrame(records: RawRecord[]): pl.DataFrame {
  const full = records.map((r, i) => ({
    ...GOOD,
    record: `in.csv:${i + 2}`,
    ...r,
  }));
  return pl.DataFrame(
    [...BAR_FIELDS, "record" as const].map((f) =>
      pl.Series(f, full.map((r) => r[f] ?? null), pl.Utf8)
    ),
  );
}

/** The single quarantine row of `record`, as a JS object. */
function onlyQuarantined(
  record: RawRecord,
  options: ValidateBarsOptions = { now: NOW },
) {
  const { valid, quarantine } = validateBars(rawFrame([record]), options);
  assert.equal(valid.height, 0, "the record is not valid");
  assert.equal(quarantine.height, 1);
  return quarantine.toRecords()[0] as Record<string, string | null>;
}

/** The `column` of a frame as an array. */
const column = (frame: pl.DataFrame, name: string): unknown[] =>
  frame.getColumn(name).toArray();

const symbolMessage = SymbolSchema.safeParse("aapl").error?.issues[0]?.message;

Deno.test("validateBars() quarantines each broken rule with its field and reason", async (t) => {
  const cases: {
    name: string;
    record: RawRecord;
    field: string;
    reason: string;
  }[] = [
    ...BAR_FIELDS.map((f) => ({
      name: `a null ${f}`,
      record: { [f]: null },
      field: f,
      reason: `${f}: missing value, got null`,
    })),
    {
      name: "an empty ts",
      record: { ts: "" },
      field: "ts",
      reason: 'ts: missing value, got ""',
    },
    {
      name: "a blank open",
      record: { open: "   " },
      field: "open",
      reason: 'open: missing value, got "   "',
    },
    {
      name: "a lower-case symbol",
      record: { symbol: "aapl" },
      field: "symbol",
      reason: `symbol: ${symbolMessage}, got "aapl"`,
    },
    {
      name: "a symbol with a space",
      record: { symbol: "AA PL" },
      field: "symbol",
      reason: `symbol: ${symbolMessage}, got "AA PL"`,
    },
    {
      name: "text in a price",
      record: { open: "n/a" },
      field: "open",
      reason: 'open: expected a number, got "n/a"',
    },
    {
      name: "text in the volume",
      record: { volume: "12 shares" },
      field: "volume",
      reason: 'volume: expected a number, got "12 shares"',
    },
    {
      name: "a JSON value in a price, quoted as JSON",
      record: { high: '{"v":"1"}' },
      field: "high",
      reason: 'high: expected a number, got "{\\"v\\":\\"1\\"}"',
    },
    {
      name: "NaN",
      record: { close: "NaN" },
      field: "close",
      reason: 'close: expected a finite number, got "NaN"',
    },
    {
      name: "Infinity",
      record: { high: "Infinity" },
      field: "high",
      reason: 'high: expected a finite number, got "Infinity"',
    },
    {
      name: "-inf",
      record: { low: "-inf" },
      field: "low",
      reason: 'low: expected a finite number, got "-inf"',
    },
    {
      name: "a zero price",
      record: { open: "0" },
      field: "open",
      reason: 'open: expected a positive price, got "0"',
    },
    {
      name: "a negative price",
      record: { low: "-1.5" },
      field: "low",
      reason: 'low: expected a positive price, got "-1.5"',
    },
    {
      name: "a negative volume",
      record: { volume: "-5" },
      field: "volume",
      reason: 'volume: expected a non-negative volume, got "-5"',
    },
    {
      name: "an unparseable timestamp",
      record: { ts: "yesterday" },
      field: "ts",
      reason:
        'ts: expected ISO-8601 with offset or an epoch number (s, ms, µs or ns), got "yesterday"',
    },
    {
      name: "an impossible date",
      record: { ts: "2026-02-30T10:00:00Z" },
      field: "ts",
      reason:
        'ts: expected ISO-8601 with offset or an epoch number (s, ms, µs or ns), got "2026-02-30T10:00:00Z"',
    },
    {
      name: "a negative epoch",
      record: { ts: "-1795185000000" },
      field: "ts",
      reason:
        'ts: expected ISO-8601 with offset or an epoch number (s, ms, µs or ns), got "-1795185000000"',
    },
    {
      name: "an ISO timestamp without offset",
      record: { ts: "2026-11-20T09:30:00" },
      field: "ts",
      reason:
        'ts: ISO-8601 timestamp without UTC offset is ambiguous, got "2026-11-20T09:30:00"',
    },
    {
      name: "a date-time with a space and no offset",
      record: { ts: "2026-11-20 09:30" },
      field: "ts",
      reason:
        'ts: ISO-8601 timestamp without UTC offset is ambiguous, got "2026-11-20 09:30"',
    },
    {
      name: "a timestamp beyond the tolerance",
      record: { ts: "2026-11-21T00:01:01Z" },
      field: "ts",
      reason:
        'ts: timestamp is in the future (after 2026-11-21T00:01:00.000Z), got "2026-11-21T00:01:01Z"',
    },
    {
      name: "a future epoch timestamp",
      record: { ts: "1800000000000" },
      field: "ts",
      reason:
        'ts: timestamp is in the future (after 2026-11-21T00:01:00.000Z), got "1800000000000"',
    },
    {
      name: "high below close",
      record: { high: "190.20" },
      field: "high",
      reason:
        'high: high is below max(open, close), got "190.20" (open "190.10", close "190.25")',
    },
    {
      name: "low above open",
      record: { low: "190.15" },
      field: "low",
      reason:
        'low: low is above min(open, close), got "190.15" (open "190.10", close "190.25")',
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const row = onlyQuarantined(c.record);
      assert.equal(row.field, c.field);
      assert.equal(row.reason, c.reason);
      assert.equal(row.record, "in.csv:2");
    });
  }
});

Deno.test("validateBars() applies the first failing rule", async (t) => {
  const cases: {
    name: string;
    record: RawRecord;
    field: string;
    reason: RegExp;
  }[] = [
    {
      name: "missing before wrong type",
      record: { ts: null, open: "n/a" },
      field: "ts",
      reason: /^ts: missing value/,
    },
    {
      name: "missing fields in field order",
      record: { volume: null, open: null },
      field: "open",
      reason: /^open: missing/,
    },
    {
      name: "symbol before numbers",
      record: { symbol: "x y", open: "NaN" },
      field: "symbol",
      reason: /^symbol: /,
    },
    {
      name: "wrong type before NaN in any field",
      record: { open: "NaN", volume: "lots" },
      field: "volume",
      reason: /^volume: expected a number/,
    },
    {
      name: "type before sign",
      record: { open: "n/a", volume: "-5" },
      field: "open",
      reason: /^open: expected a number/,
    },
    {
      name: "price before timestamp",
      record: { close: "-1", ts: "garbage" },
      field: "close",
      reason: /^close: expected a positive price/,
    },
    {
      name: "future before high/low",
      record: { high: "1", ts: "2027-01-01T00:00:00Z" },
      field: "ts",
      reason: /^ts: timestamp is in the future/,
    },
    {
      name: "high before low",
      record: { high: "190.11", low: "190.20" },
      field: "high",
      reason: /^high: high is below/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const row = onlyQuarantined(c.record);
      assert.equal(row.field, c.field);
      assert.match(row.reason ?? "", c.reason);
    });
  }
});

Deno.test("validateBars() accepts ISO-8601 with offset or Z and epoch ms as the same UTC instant", () => {
  const { valid, quarantine } = validateBars(
    rawFrame([
      { symbol: "A", ts: "2026-11-20T09:30:00-05:00" },
      { symbol: "B", ts: "2026-11-20T14:30:00Z" },
      { symbol: "C", ts: "2026-11-20T14:30:00.000+00:00" },
      { symbol: "D", ts: "1795185000000" },
      { symbol: "E", ts: " 2026-11-20T15:30:00+01:00 " },
    ]),
    { now: NOW },
  );
  assert.equal(quarantine.height, 0);
  const instants = (column(valid, "ts") as Date[]).map((d) => d.toISOString());
  assert.deepEqual(instants, Array(5).fill("2026-11-20T14:30:00.000Z"));
});

Deno.test("validateBars() reads frames of only epochs, only ISO text, or both alike", async (t) => {
  // 14:30Z as seconds, ms, µs and ns (one trimmed), and as ISO text.
  const epochs = [
    "1795185000",
    "1795185000000",
    " 1795185000000000 ",
    "1795185000000000000",
  ];
  const isos = [
    "2026-11-20T14:30:00Z",
    "2026-11-20T09:30:00-05:00",
    " 2026-11-20T14:30:00+00:00 ",
    "2026-11-20T14:30:00.000Z",
  ];
  const instants = (ts: string[]) => {
    const { valid, quarantine } = validateBars(
      rawFrame(ts.map((t, i) => ({ symbol: `S${i}`, ts: t }))),
      { now: NOW },
    );
    return {
      valid: (column(valid, "ts") as Date[]).map((d) => d.toISOString()),
      reasons: column(quarantine, "reason"),
    };
  };
  const all = Array(4).fill("2026-11-20T14:30:00.000Z");
  for (
    const [name, ts] of [["epochs", epochs], ["ISO", isos], ["both", [
      ...epochs.slice(0, 2),
      ...isos.slice(2),
    ]]] as const
  ) {
    await t.step(
      name,
      () => assert.deepEqual(instants([...ts]), { valid: all, reasons: [] }),
    );
  }
  await t.step("a bad value among epochs is quarantined, the rest read", () => {
    assert.deepEqual(instants([...epochs.slice(0, 3), "yesterday"]), {
      valid: all.slice(0, 3),
      reasons: [
        'ts: expected ISO-8601 with offset or an epoch number (s, ms, µs or ns), got "yesterday"',
      ],
    });
  });
  await t.step("only blanks: each is a missing value", () => {
    assert.deepEqual(instants(["", " "]).reasons, [
      'ts: missing value, got ""',
      'ts: missing value, got " "',
    ]);
  });
});

Deno.test("validateBars() types the valid frame per the contract, in source order", () => {
  const { valid } = validateBars(
    rawFrame([
      { symbol: "MSFT", volume: "0" },
      { open: "n/a" },
      { symbol: "BRK.B", open: " 190.1 ", close: "1.9025e2" },
    ]),
    { now: NOW },
  );
  assert.deepEqual(valid.columns, [
    "symbol",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "record",
  ]);
  assert.deepEqual(valid.dtypes.map(String), [
    "DataType(String)",
    "DataType(Datetime(ms,UTC))",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(String)",
  ]);
  assert.deepEqual(
    valid.select("symbol", "open", "close", "volume", "record").rows(),
    [
      ["MSFT", 190.1, 190.25, 0, "in.csv:2"],
      ["BRK.B", 190.1, 190.25, 1200, "in.csv:4"],
    ],
  );
});

Deno.test("validateBars() trims surrounding whitespace and keeps source order", () => {
  const { valid, quarantine } = validateBars(
    rawFrame([
      { symbol: "A" },
      { symbol: " MSFT ", volume: "\t7 ", ts: " 1795185000000" },
      { symbol: "B", open: "1 9" },
      { symbol: "C" },
    ]),
    { now: NOW },
  );
  assert.deepEqual(valid.select("symbol", "volume", "record").rows(), [
    ["A", 1200, "in.csv:2"],
    ["MSFT", 7, "in.csv:3"],
    ["C", 1200, "in.csv:5"],
  ]);
  assert.deepEqual(column(quarantine, "reason"), [
    'open: expected a number, got "1 9"',
  ]);
});

Deno.test("validateBars() lets timestamps within the future tolerance pass", async (t) => {
  await t.step("default tolerance 60 s", () => {
    const { valid } = validateBars(rawFrame([{ ts: "2026-11-21T00:00:59Z" }]), {
      now: NOW,
    });
    assert.equal(valid.height, 1);
  });
  await t.step("tolerance 0", () => {
    const row = onlyQuarantined({ ts: "2026-11-21T00:00:01Z" }, {
      now: NOW,
      futureToleranceMs: 0,
    });
    assert.match(row.reason ?? "", /after 2026-11-21T00:00:00.000Z/);
  });
});

Deno.test("validateBars() keeps identical duplicates of (symbol, ts) valid", () => {
  const { valid, quarantine } = validateBars(
    rawFrame([
      {},
      {},
      // same values after normalisation: UTC ts, trailing zero
      { ts: "2026-11-20T14:30:00Z", open: "190.1" },
    ]),
    { now: NOW },
  );
  assert.equal(quarantine.height, 0);
  assert.deepEqual(column(valid, "record"), [
    "in.csv:2",
    "in.csv:3",
    "in.csv:4",
  ]);
});

Deno.test("validateBars() keeps the last of conflicting duplicates and quarantines the earlier ones", async (t) => {
  await t.step("two copies", () => {
    const { valid, quarantine } = validateBars(
      rawFrame([{ close: "190.30" }, { symbol: "MSFT" }, {
        ts: "1795185000000",
      }]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), ["in.csv:3", "in.csv:4"]);
    assert.deepEqual(quarantine.toRecords(), [{
      record: "in.csv:2",
      symbol: "AAPL",
      ts: "2026-11-20T09:30:00-05:00",
      field: "ts",
      reason:
        "ts: duplicate (symbol, ts) with different values; superseded by record in.csv:4",
      raw: JSON.stringify({ ...GOOD, close: "190.30", record: undefined }),
    }]);
  });
  await t.step("a copy equal to the last one stays valid", () => {
    const { valid, quarantine } = validateBars(
      rawFrame([{}, { volume: "1300" }, {}]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), ["in.csv:2", "in.csv:4"]);
    assert.deepEqual(column(quarantine, "record"), ["in.csv:3"]);
    assert.match(
      String(column(quarantine, "reason")[0]),
      /superseded by record in\.csv:4$/,
    );
  });
  await t.step("a copy that breaks a rule is not a duplicate", () => {
    const { valid, quarantine } = validateBars(
      rawFrame([{}, { close: "n/a" }]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), ["in.csv:2"]);
    assert.deepEqual(column(quarantine, "reason"), [
      'close: expected a number, got "n/a"',
    ]);
  });
});

Deno.test("validateBars() builds the quarantine frame: raw text, JSON raw record, source order", () => {
  const { quarantine } = validateBars(
    rawFrame([
      { close: "190.30" }, // superseded by the last record
      { symbol: null, open: "x" },
      { symbol: "MSFT" },
      { volume: "-1", record: "in.csv:99" },
      {},
    ]),
    { now: NOW },
  );
  assert.deepEqual(quarantine.columns, [...QUARANTINE_COLUMNS]);
  assert.deepEqual(
    quarantine.dtypes.map((d) => d.variant),
    QUARANTINE_COLUMNS.map(() => "String"),
  );
  assert.deepEqual(column(quarantine, "record"), [
    "in.csv:2",
    "in.csv:3",
    "in.csv:99",
  ]);
  assert.deepEqual(column(quarantine, "symbol"), ["AAPL", null, "AAPL"]);
  assert.deepEqual(column(quarantine, "field"), ["ts", "symbol", "volume"]);
  const raws = (column(quarantine, "raw") as string[]).map((r) =>
    JSON.parse(r)
  );
  assert.deepEqual(raws[1], {
    symbol: null,
    ts: GOOD.ts,
    open: "x",
    high: GOOD.high,
    low: GOOD.low,
    close: GOOD.close,
    volume: GOOD.volume,
  });
});

Deno.test("validateBars() quarantines every record when a column is absent", () => {
  const raw = rawFrame([{}, { symbol: "MSFT" }]).drop("volume");
  const { valid, quarantine } = validateBars(raw, { now: NOW });
  assert.equal(valid.height, 0);
  assert.deepEqual(column(quarantine, "reason"), [
    "volume: missing value, got null",
    "volume: missing value, got null",
  ]);
  assert.equal(JSON.parse(String(column(quarantine, "raw")[0])).volume, null);
});

Deno.test("validateBars() names records by row when the record column is absent or null", () => {
  const raw = rawFrame([{ open: "x" }, { open: "y", record: null }]);
  assert.deepEqual(
    column(validateBars(raw, { now: NOW }).quarantine, "record"),
    [
      "in.csv:2",
      "row 2",
    ],
  );
  assert.deepEqual(
    column(validateBars(raw.drop("record"), { now: NOW }).quarantine, "record"),
    [
      "row 1",
      "row 2",
    ],
  );
});

Deno.test("validateBars() casts non-text raw columns to text first", () => {
  const raw = rawFrame([{}]).withColumns(pl.col("volume").cast(pl.Float64));
  const { valid, quarantine } = validateBars(raw, { now: NOW });
  assert.equal(quarantine.height, 0);
  assert.deepEqual(column(valid, "volume"), [1200]);
});

Deno.test("validateBars() returns empty frames with the contract columns for an empty input", () => {
  const { valid, quarantine } = validateBars(rawFrame([]), { now: NOW });
  assert.equal(valid.height, 0);
  assert.equal(quarantine.height, 0);
  assert.deepEqual(valid.columns, [
    "symbol",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "record",
  ]);
  assert.deepEqual(quarantine.columns, [...QUARANTINE_COLUMNS]);
});

Deno.test("validateBars() keeps raw.height == valid.height + quarantine.height", async (t) => {
  for (const defectRate of [0, 0.01, 0.2, 1]) {
    await t.step(`synthetic bars, defect rate ${defectRate}`, () => {
      const raw = syntheticBars({
        clock: fixedClock("2026-11-20T22:00:00Z"),
        sessions: 2,
        defectRate,
      });
      const { valid, quarantine } = validateBars(raw, { now: NOW });
      assert.equal(raw.height, valid.height + quarantine.height);
      if (defectRate === 0) assert.equal(quarantine.height, 0);
    });
  }
});

Deno.test("validateBars() quarantines every synthetic defect kind and keeps exact duplicates", () => {
  const raw = syntheticBars({
    clock: fixedClock("2026-11-20T22:00:00Z"),
    defectRate: 0.05,
  });
  const { valid, quarantine } = validateBars(raw, { now: NOW });
  const reasons = column(quarantine, "reason") as string[];
  for (
    const pattern of [
      /: missing value/,
      /: expected a number, got "(n\/a|N\/A|abc|1,234\.50|--)"/,
      /: expected a finite number, got "NaN"/,
      /: expected a finite number, got "-?Infinity"/,
      /: expected a positive price/,
      /^volume: expected a non-negative volume/,
      /^ts: expected ISO-8601 with offset or an epoch number \(s, ms, µs or ns\)/,
      /^ts: ISO-8601 timestamp without UTC offset is ambiguous/,
      /^ts: timestamp is in the future/,
      /^high: high is below max\(open, close\)/,
      /^low: low is above min\(open, close\)/,
      /^ts: duplicate \(symbol, ts\) with different values; superseded by record synthetic:.*#2$/,
    ]
  ) {
    assert.ok(
      reasons.some((r) => pattern.test(r)),
      `no reason matches ${pattern}`,
    );
  }
  const exactCopies = valid.filter(pl.col("record").str.endsWith("#2")).height;
  assert.ok(exactCopies > 0, "exact duplicates stay valid");
});

Deno.test("validateBars() output agrees with the zod schemas of the contract", async (t) => {
  const raw = syntheticBars({
    clock: fixedClock("2026-11-20T22:00:00Z"),
    sessions: 1,
    defectRate: 0.2,
  });
  const { valid, quarantine } = validateBars(raw, { now: NOW });
  await t.step("a sample of valid rows parses as BarSchema", () => {
    const sample = valid.gatherEvery(
      Math.max(1, Math.floor(valid.height / 50)),
    );
    for (const row of sample.toRecords()) {
      const parsed = BarSchema.safeParse(row);
      assert.ok(
        parsed.success,
        `${JSON.stringify(row)}: ${parsed.error?.message}`,
      );
    }
  });
  await t.step("every quarantine row parses as QuarantineRowSchema", () => {
    assert.ok(quarantine.height > 100);
    for (const row of quarantine.toRecords()) {
      const parsed = QuarantineRowSchema.safeParse(row);
      assert.ok(
        parsed.success,
        `${JSON.stringify(row)}: ${parsed.error?.message}`,
      );
    }
  });
  await t.step(
    "BarSchema rejects what the rules reject, with the same high/low messages",
    () => {
      const bar = {
        symbol: "AAPL",
        ts: NOW,
        open: 2,
        high: 3,
        low: 1,
        close: 2,
        volume: 5,
      };
      for (
        const bad of [
          { open: Number.NaN },
          { close: Number.POSITIVE_INFINITY },
          { low: 0 },
          { volume: -1 },
          { symbol: "aapl" },
        ]
      ) {
        assert.equal(
          BarSchema.safeParse({ ...bar, ...bad }).success,
          false,
          JSON.stringify(bad),
        );
      }
      assert.equal(barSchemaMessage("high"), "high is below max(open, close)");
      assert.equal(barSchemaMessage("low"), "low is above min(open, close)");
      const high = BarSchema.safeParse({ ...bar, high: 1.5 });
      assert.equal(high.error?.issues[0]?.message, barSchemaMessage("high"));
    },
  );
});

Deno.test("validateBars() finds the documented defects in the committed samples", async (t) => {
  const expected: [number, string][] = [
    [5, "open"],
    [9, "volume"],
    [14, "close"],
    [18, "ts"],
    [22, "high"],
    [29, "symbol"],
    [33, "ts"],
    [37, "low"],
    [43, "ts"],
  ];
  for (
    const [name, recordOf] of [
      ["bars.csv", (line: number) => `bars.csv:${line}`],
      ["bars.json", (line: number) => `bars.json[${line - 2}]`],
    ] as const
  ) {
    await t.step(name, async () => {
      const path = fileURLToPath(
        new URL(`../../data/samples/${name}`, import.meta.url),
      );
      const raw = await readBarFile(path);
      const { valid, quarantine } = validateBars(raw, { now: NOW });
      assert.equal(valid.height, 41);
      assert.deepEqual(
        quarantine.select("record", "field").rows(),
        expected.map(([line, field]) => [recordOf(line), field]),
      );
    });
  }
});
