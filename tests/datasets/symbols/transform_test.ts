/** The transform of symbol reference data: duplicates and held symbols. */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { transformSymbols } from "@pipeline/datasets/symbols/transform.ts";
import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";

Deno.test("transformSymbols() drops exact duplicates, sorts, and names held symbols", () => {
  const raw = pl.DataFrame({
    symbol: ["MSFT", "AAPL", "AAPL", " IBM ", "ibm", null, "XOM"],
    name: ["Microsoft", "Apple", "Apple", null, "IBM", "X", "Exxon"],
    exchange: ["NASDAQ", "NASDAQ", "NASDAQ", "NYSE", "NYSE", "NYSE", "NYSE"],
    currency: ["USD", "USD", "USD", "USD", "USD", "USD", "usd"],
    sector: [null, "IT", "IT", null, null, null, null],
  });
  const { valid, quarantine } = validateSymbols(raw);
  const { reference, held, duplicates } = transformSymbols(valid, {
    quarantine,
  });
  assert.deepEqual(reference.getColumn("symbol").toArray(), ["AAPL", "MSFT"]);
  assert.deepEqual(reference.columns, [
    "symbol",
    "name",
    "exchange",
    "currency",
    "sector",
  ]);
  assert.equal(duplicates, 1);
  assert.deepEqual(held, ["IBM", "XOM"]);
  assert.deepEqual(transformSymbols(valid).held, []);
});
