import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";

Deno.test("validateSymbols() quarantines NUL and control characters in any field", () => {
  const raw = pl.DataFrame({
    symbol: ["AAPL", "MSFT", "IBM"],
    name: ["Apple Inc.", "Micro\u0000soft", "IBM"],
    exchange: ["NASDAQ", "NASDAQ", "NYSE"],
    currency: ["USD", "USD", "USD"],
    sector: ["Technology", null, "Tech\ufffd"],
    record: ["refs.csv:2", "refs.csv:3", "refs.csv:4"],
  });
  const { valid, quarantine } = validateSymbols(raw);
  assert.deepEqual(valid.getColumn("symbol").toArray(), ["AAPL"]);
  assert.deepEqual(
    quarantine.select("record", "field", "reason").toRecords(),
    [
      {
        record: "refs.csv:3",
        field: "name",
        reason:
          'name: contains a control character or invalid UTF-8, got "Micro\\u0000soft"',
      },
      {
        record: "refs.csv:4",
        field: "sector",
        reason:
          'sector: contains a control character or invalid UTF-8, got "Tech\ufffd"',
      },
    ],
  );
});
