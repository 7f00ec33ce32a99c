import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  EOD_VALID_COLUMNS,
  readEodFile,
  validateEod,
} from "@pipeline/datasets/eod/mod.ts";
import { QUARANTINE_COLUMNS } from "@pipeline/bars.ts";
import { NOW, SP500_CSV, SP500_ROWS, writeCsv } from "./_sp500.ts";

const GOOD = [
  "2020-04-14",
  "2783.36",
  "2805.01",
  "2765.11",
  "2783.36",
  "2783.36",
  "5179990000",
];

Deno.test("validateEod() passes every row of the S&P 500 sample, typed per the valid frame", async () => {
  const raw = await readEodFile(SP500_CSV, { symbol: "SPX" });
  assert.equal(raw.height, SP500_ROWS);
  const { valid, quarantine } = validateEod(raw, { now: NOW });
  assert.equal(quarantine.height, 0);
  assert.equal(valid.height, SP500_ROWS);
  assert.deepEqual(valid.columns, [...EOD_VALID_COLUMNS]);
  const first = valid.row(0);
  assert.equal(first[0], "SPX");
  assert.equal((first[1] as Date).toISOString(), "2000-01-03T00:00:00.000Z");
  assert.equal(first[6], 1455.219971); // adj_close
  assert.equal(first[8], "sp500-2000.csv:2");
});

Deno.test("validateEod() quarantines each poison record with its field and reason", async (t) => {
  const cases: [string, (string | null)[], string, RegExp][] = [
    [
      "a date before 1990",
      ["1900-01-02", ...GOOD.slice(1)],
      "date",
      /before 1990-01-01/,
    ],
    [
      "a date after now + 1 day",
      ["2026-12-03", ...GOOD.slice(1)],
      "date",
      /in the future/,
    ],
    [
      "a date that does not exist",
      ["2000-02-30", ...GOOD.slice(1)],
      "date",
      /expected a date YYYY-MM-DD, got "2000-02-30"/,
    ],
    [
      "a time of day",
      ["2000-01-03T10:00:00Z", ...GOOD.slice(1)],
      "date",
      /expected a date YYYY-MM-DD/,
    ],
    [
      "a NUL in the date",
      ["2000-01-03\u0000", ...GOOD.slice(1)],
      "date",
      /control character/,
    ],
    [
      "a missing close",
      [...GOOD.slice(0, 4), "", ...GOOD.slice(5)],
      "close",
      /missing value/,
    ],
    [
      "a negative price",
      [GOOD[0]!, "-1", ...GOOD.slice(2)],
      "open",
      /positive price/,
    ],
    ["low above the open", [GOOD[0]!, "2700", ...GOOD.slice(2)], "low", /low/],
    [
      "a negative volume",
      [...GOOD.slice(0, 6), "-5"],
      "volume",
      /non-negative volume/,
    ],
    [
      "a text adj_close",
      [...GOOD.slice(0, 5), "n/a", GOOD[6]!],
      "adj_close",
      /adj_close: expected a number, got "n\/a"/,
    ],
    [
      "an infinite adj_close",
      [...GOOD.slice(0, 5), "inf", GOOD[6]!],
      "adj_close",
      /finite/,
    ],
    [
      "a NUL in adj_close",
      [...GOOD.slice(0, 5), "1\u00002", GOOD[6]!],
      "adj_close",
      /control character/,
    ],
  ];
  for (const [name, row, field, reason] of cases) {
    await t.step(name, async () => {
      const path = await writeCsv([GOOD, row]);
      try {
        const raw = await readEodFile(path, { symbol: "SPX" });
        const { valid, quarantine } = validateEod(raw, { now: NOW });
        assert.equal(valid.height, 1);
        assert.equal(quarantine.height, 1);
        assert.deepEqual(quarantine.columns, [...QUARANTINE_COLUMNS]);
        const q = quarantine.toRecords()[0]!;
        assert.equal(q.field, field);
        assert.match(String(q.reason), reason);
        assert.match(String(q.record), /:3$/);
        assert.equal(q.ts, row[0] ?? null);
        // The raw record is the eod record as sent, adj_close included.
        assert.equal(JSON.parse(String(q.raw)).adj_close, row[5] ?? null);
      } finally {
        await Deno.remove(path);
      }
    });
  }
});

Deno.test("validateEod() quarantines a NUL in the symbol and keeps a blank adj_close as null", () => {
  const raw = pl.DataFrame({
    symbol: ["SPX", "SP\u0000X"],
    date: ["2020-04-14", "2020-04-15"],
    open: ["10", "10"],
    high: ["11", "11"],
    low: ["9", "9"],
    close: ["10.5", "10.5"],
    adj_close: [" ", "10.5"],
    volume: ["100", "100"],
    record: ["a:1", "a:2"],
  });
  const { valid, quarantine } = validateEod(raw, { now: NOW });
  assert.deepEqual(valid.getColumn("adj_close").toArray(), [null]);
  assert.deepEqual(quarantine.getColumn("field").toArray(), ["symbol"]);
});

Deno.test("validateEod() takes an earlier earliest date when configured", () => {
  const raw = pl.DataFrame({
    symbol: ["SPX"],
    date: ["1985-06-03"],
    open: ["10"],
    high: ["11"],
    low: ["9"],
    close: ["10.5"],
    adj_close: [null],
    volume: ["100"],
  });
  assert.equal(validateEod(raw, { now: NOW }).quarantine.height, 1);
  const { valid } = validateEod(raw, {
    now: NOW,
    earliest: new Date("1980-01-01T00:00:00Z"),
  });
  assert.equal(valid.height, 1);
  assert.equal(valid.getColumn("record").get(0), "row 1");
});
