/**
 * Poison records in bar validation: implausible dates, control characters,
 * magnitudes that would overflow derived values, and epoch numbers in any
 * unit. Each is quarantined with its field and reason, never loaded.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { BAR_FIELDS, type BarField } from "@pipeline/bars.ts";
import {
  DEFAULT_BAR_LIMITS,
  epochMs,
  MAX_QUOTED,
  validateBars,
  type ValidateBarsOptions,
} from "@pipeline/validate/bars.ts";

const NOW = new Date("2026-11-21T00:00:00Z");

type RawRecord = Partial<Record<BarField, string>>;

const GOOD: Required<RawRecord> = {
  symbol: "AAPL",
  ts: "2026-11-20T14:30:00Z",
  open: "190.10",
  high: "190.50",
  low: "190.00",
  close: "190.25",
  volume: "1200",
};

function rawFrame(records: RawRecord[]): pl.DataFrame {
  const full = records.map((r) => ({ ...GOOD, ...r }));
  return pl.DataFrame([
    ...BAR_FIELDS.map((f) => pl.Series(f, full.map((r) => r[f]), pl.Utf8)),
    pl.Series("record", full.map((_, i) => `in.csv:${i + 2}`), pl.Utf8),
  ]);
}

/** The one quarantine row of `record` (asserting it is not valid). */
function quarantined(
  record: RawRecord,
  options: ValidateBarsOptions = { now: NOW },
): { field: string; reason: string } {
  const { valid, quarantine } = validateBars(rawFrame([record]), options);
  assert.equal(valid.height, 0, `${JSON.stringify(record)} is not valid`);
  assert.equal(quarantine.height, 1);
  const row = quarantine.toRecords()[0] as Record<string, string>;
  return { field: row.field!, reason: row.reason! };
}

Deno.test("validateBars() quarantines timestamps outside the plausible range", async (t) => {
  await t.step("a bar dated 1900-01-02 names the earliest bound", () => {
    assert.deepEqual(quarantined({ ts: "1900-01-02T14:30:00Z" }), {
      field: "ts",
      reason:
        'ts: timestamp is before 1990-01-01T00:00:00.000Z, the earliest plausible, got "1900-01-02T14:30:00Z"',
    });
  });
  await t.step("the earliest bound is an option", () => {
    const options = { now: NOW, earliest: new Date("2026-01-01T00:00:00Z") };
    const row = quarantined({ ts: "2025-12-31T23:59:00Z" }, options);
    assert.match(row.reason, /before 2026-01-01T00:00:00.000Z/);
    const { valid } = validateBars(rawFrame([{ ts: "2026-01-01T00:00:00Z" }]), {
      ...options,
    });
    assert.equal(valid.height, 1, "the bound itself is plausible");
  });
  await t.step(
    "the future tolerance is an option (the dataset gives a day)",
    () => {
      const ts = "2026-11-21T23:00:00Z";
      assert.match(quarantined({ ts }).reason, /in the future/);
      const { valid } = validateBars(rawFrame([{ ts }]), {
        now: NOW,
        futureToleranceMs: 86_400_000,
      });
      assert.equal(valid.height, 1);
    },
  );
});

Deno.test("validateBars() quarantines text with NUL, control characters or invalid UTF-8", async (t) => {
  const cases: { name: string; record: RawRecord; field: string }[] = [
    {
      name: "NUL in a symbol",
      record: { symbol: "AA\u0000PL" },
      field: "symbol",
    },
    {
      name: "BEL inside a symbol",
      record: { symbol: "AA\u0007PL" },
      field: "symbol",
    },
    { name: "a C1 control", record: { symbol: "AAPL\u009b" }, field: "symbol" },
    {
      name: "NUL after a number",
      record: { volume: "1200\u0000" },
      field: "volume",
    },
    {
      name: "NUL in a timestamp",
      record: { ts: "2026-11-20T14:30:00Z\u0000" },
      field: "ts",
    },
    {
      name: "U+FFFD for invalid UTF-8",
      record: { open: "19\ufffd0" },
      field: "open",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const row = quarantined(c.record);
      assert.equal(row.field, c.field);
      assert.match(
        row.reason,
        new RegExp(
          `^${c.field}: contains a control character or invalid UTF-8, got "`,
        ),
      );
      // The reason quotes the value as JSON: C0 controls escaped.
      assert.ok(
        [...row.reason].every((ch) => ch.charCodeAt(0) >= 0x20),
        row.reason,
      );
    });
  }
  await t.step("surrounding whitespace is still only trimmed", () => {
    const { valid } = validateBars(rawFrame([{ symbol: "\tAAPL\n" }]), {
      now: NOW,
    });
    assert.deepEqual(valid.getColumn("symbol").toArray(), ["AAPL"]);
  });
});

Deno.test("validateBars() quarantines magnitudes that would overflow derived values", async (t) => {
  await t.step("a finite price of 1e308", () => {
    assert.deepEqual(
      quarantined({
        open: "1e308",
        high: "1e308",
        low: "1e308",
        close: "1e308",
      }),
      {
        field: "open",
        reason: 'open: expected a price in 1e-6..1e9, got "1e308"',
      },
    );
  });
  await t.step("a price below minPrice", () => {
    assert.deepEqual(
      quarantined({
        low: "1e-300",
        open: "1e-300",
        close: "1e-300",
        high: "1",
      }),
      {
        field: "open",
        reason: 'open: expected a price in 1e-6..1e9, got "1e-300"',
      },
    );
  });
  await t.step("a volume above maxVolume", () => {
    assert.deepEqual(quarantined({ volume: "1e14" }), {
      field: "volume",
      reason: 'volume: expected a volume of at most 1e13, got "1e14"',
    });
  });
  await t.step("the bounds at their limits are valid", () => {
    const { valid } = validateBars(
      rawFrame([{
        open: "1e9",
        high: "1e9",
        low: "1e9",
        close: "1e9",
        volume: "1e13",
      }]),
      { now: NOW },
    );
    assert.equal(valid.height, 1);
  });
  await t.step("a VWAP term that overflows under loose limits", () => {
    const loose = {
      now: NOW,
      maxPrice: Number.MAX_VALUE,
      maxVolume: Number.MAX_VALUE,
    };
    assert.deepEqual(
      quarantined({
        open: "1e200",
        high: "1e200",
        low: "1e200",
        close: "1e200",
        volume: "1e200",
      }, loose),
      {
        field: "volume",
        reason:
          'volume: typical price × volume (the VWAP term) is not finite, got "1e200"',
      },
    );
  });
  await t.step("the defaults keep returns and VWAP sums finite", () => {
    const { minPrice, maxPrice, maxVolume } = DEFAULT_BAR_LIMITS;
    assert.ok(Number.isFinite(maxPrice / minPrice));
    assert.ok(Number.isFinite(maxPrice * maxVolume * 1440 * 366));
  });
});

Deno.test("validateBars() reads epoch numbers by magnitude", async (t) => {
  const instant = "2026-11-20T14:30:00.000Z";
  const ms = Date.parse(instant);
  const units: [string, string][] = [
    ["seconds", String(ms / 1000)],
    ["milliseconds", String(ms)],
    ["microseconds", `${ms}000`],
    ["nanoseconds", `${ms}000000`],
    ["seconds with leading zeros", `000${ms / 1000}`],
  ];
  await t.step(
    "each unit reads as the same instant, also mixed in one column",
    () => {
      const { valid, quarantine } = validateBars(
        rawFrame(units.map(([, ts], i) => ({ ts, symbol: `S${i}` }))),
        { now: NOW },
      );
      assert.equal(quarantine.height, 0);
      assert.deepEqual(
        (valid.getColumn("ts").toArray() as unknown as Date[]).map((d) =>
          d.toISOString()
        ),
        units.map(() => instant),
      );
    },
  );
  await t.step("epochMs() names the bands", () => {
    const frame = pl.DataFrame({
      t: [
        "1",
        "9999999999",
        "10000000000",
        "9999999999999",
        "99999999999999999999",
      ],
    }).select(epochMs(pl.col("t")).cast(pl.Int64).alias("ms"));
    assert.deepEqual(
      frame.getColumn("ms").toArray(),
      [
        1000n,
        9999999999000n,
        10000000000n,
        9999999999999n,
        null,
      ].map((v) => v === null ? null : Number(v)),
    );
  });
  await t.step("seconds of 1970 are quarantined, not loaded as 1970", () => {
    assert.match(
      quarantined({ ts: "1800" }).reason,
      /^ts: timestamp is before 1990/,
    );
  });
  await t.step("more than 19 digits is no epoch", () => {
    assert.match(
      quarantined({ ts: "17636490000000000000" }).reason,
      /^ts: expected ISO-8601 with offset or an epoch number/,
    );
  });
});

Deno.test("a huge bad value is cut in the reason, kept whole in the record", () => {
  const huge = "9".repeat(100_000) + "x";
  const { valid, quarantine } = validateBars(rawFrame([{ open: huge }]), {
    now: NOW,
  });
  assert.equal(valid.height, 0);
  const reason = String(quarantine.getColumn("reason").get(0));
  assert.ok(reason.length < MAX_QUOTED + 100, `reason of ${reason.length}`);
  assert.match(reason, /^open: .*9…"/);
  assert.ok(String(quarantine.getColumn("raw").get(0)).includes(huge));
});
