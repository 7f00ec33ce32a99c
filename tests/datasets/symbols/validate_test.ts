/**
 * Validation of symbol reference records: each rule, conflicting and exact
 * duplicates, trimming, and the quarantine frame's shape.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { QUARANTINE_COLUMNS } from "@pipeline/bars.ts";
import { SYMBOL_REF_FIELDS, SymbolRefSchema } from "@pipeline/symbols.ts";
import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";

type Row = Record<(typeof SYMBOL_REF_FIELDS)[number], string | null>;

const GOOD: Row = {
  symbol: "AAPL",
  name: "Apple Inc.",
  exchange: "NASDAQ",
  currency: "USD",
  sector: "Information Technology",
};

function raw(rows: Partial<Row>[]): pl.DataFrame {
  const full = rows.map((r) => ({ ...GOOD, ...r }));
  return pl.DataFrame([
    ...SYMBOL_REF_FIELDS.map((f) =>
      pl.Series(f, full.map((r) => r[f] ?? null), pl.Utf8)
    ),
    pl.Series("record", full.map((_, i) => `refs.csv:${i + 2}`), pl.Utf8),
  ]);
}

Deno.test("validateSymbols() quarantines each bad record with its field and reason", async (t) => {
  const cases: [string, Partial<Row>, string, string][] = [
    [
      "a missing symbol",
      { symbol: null },
      "symbol",
      "symbol: missing value, got null",
    ],
    [
      "a blank symbol",
      { symbol: "  " },
      "symbol",
      'symbol: missing value, got "  "',
    ],
    [
      "a malformed symbol",
      { symbol: "aapl" },
      "symbol",
      'symbol: Invalid string: must match pattern /^[A-Z0-9^][A-Z0-9.\\-^=]{0,15}$/, got "aapl"',
    ],
    ["a missing name", { name: "" }, "name", 'name: missing value, got ""'],
    [
      "a missing exchange",
      { exchange: null },
      "exchange",
      "exchange: missing value, got null",
    ],
    [
      "a missing currency",
      { currency: " " },
      "currency",
      'currency: missing value, got " "',
    ],
    [
      "a bad currency",
      { currency: "usd" },
      "currency",
      'currency: expected an ISO 4217 currency code like USD, got "usd"',
    ],
    [
      "the first broken rule only",
      { symbol: "bad symbol", name: null },
      "symbol",
      'symbol: Invalid string: must match pattern /^[A-Z0-9^][A-Z0-9.\\-^=]{0,15}$/, got "bad symbol"',
    ],
  ];
  for (const [name, patch, field, reason] of cases) {
    await t.step(name, () => {
      const { valid, quarantine } = validateSymbols(
        raw([{ symbol: "MSFT" }, patch]),
      );
      assert.deepEqual(valid.getColumn("symbol").toArray(), ["MSFT"]);
      assert.deepEqual(quarantine.toRecords(), [{
        record: "refs.csv:3",
        symbol: patch.symbol === undefined ? "AAPL" : patch.symbol,
        ts: null,
        field,
        reason,
        raw: JSON.stringify({ ...GOOD, ...patch }),
      }]);
    });
  }
});

Deno.test("validateSymbols() lets the last of conflicting duplicates win and keeps exact ones", () => {
  const { valid, quarantine } = validateSymbols(raw([
    { name: "Apple Computer" },
    {},
    { symbol: "MSFT", sector: null },
    { symbol: "MSFT", sector: null },
    { symbol: "IBM", sector: null },
    { symbol: "IBM", sector: "Information Technology" },
  ]));
  assert.deepEqual(
    quarantine.select("record", "field", "reason").toRecords(),
    [
      {
        record: "refs.csv:2",
        field: "symbol",
        reason:
          "symbol: duplicate symbol with different attributes; superseded by record refs.csv:3",
      },
      {
        record: "refs.csv:6",
        field: "symbol",
        reason:
          "symbol: duplicate symbol with different attributes; superseded by record refs.csv:7",
      },
    ],
  );
  assert.deepEqual(valid.getColumn("record").toArray(), [
    "refs.csv:3",
    "refs.csv:4",
    "refs.csv:5",
    "refs.csv:7",
  ]);
});

Deno.test("validateSymbols() trims, nulls a blank sector and keeps the frame contracts", () => {
  const input = raw([
    { symbol: " BRK.B ", name: " Berkshire ", sector: "  " },
    { currency: "EURO" },
  ]);
  const { valid, quarantine } = validateSymbols(input);
  assert.equal(input.height, valid.height + quarantine.height);
  assert.deepEqual(valid.toRecords(), [{
    symbol: "BRK.B",
    name: "Berkshire",
    exchange: "NASDAQ",
    currency: "USD",
    sector: null,
    record: "refs.csv:2",
  }]);
  for (const row of valid.toRecords()) SymbolRefSchema.parse(row);
  assert.deepEqual(quarantine.columns, [...QUARANTINE_COLUMNS]);
  assert.ok(quarantine.dtypes.every((d) => d.variant === "String"));
});

Deno.test("validateSymbols() accepts missing columns and records, quarantining on them", () => {
  const { valid, quarantine } = validateSymbols(
    pl.DataFrame({ symbol: ["AAPL"], name: ["Apple"] }),
  );
  assert.equal(valid.height, 0);
  assert.deepEqual(
    quarantine.select("record", "reason").toRecords(),
    [{ record: "row 1", reason: "exchange: missing value, got null" }],
  );
});
