/** The synthetic source's reference metadata. */
import assert from "node:assert/strict";
import { syntheticSymbols } from "@pipeline/datasets/symbols/synthetic.ts";
import { DEFAULT_SYMBOLS } from "@pipeline/extract/synthetic.ts";
import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";

Deno.test("syntheticSymbols() is deterministic, valid and seeded for unknown symbols", () => {
  const symbols = [...DEFAULT_SYMBOLS, "ZZZ", "QQQ1"];
  const a = syntheticSymbols({ symbols, seed: 42 });
  assert.deepEqual(
    a.toRecords(),
    syntheticSymbols({ symbols, seed: 42 }).toRecords(),
  );
  const { valid, quarantine } = validateSymbols(a);
  assert.deepEqual([valid.height, quarantine.height], [12, 0]);
  assert.deepEqual(a.row(0), [
    "AAPL",
    "Apple Inc.",
    "NASDAQ",
    "USD",
    "Information Technology",
    "synthetic:symbols:AAPL",
  ]);
  const other = syntheticSymbols({ symbols, seed: 7 });
  assert.deepEqual(other.head(10).toRecords(), a.head(10).toRecords());
  assert.notDeepEqual(other.tail(2).toRecords(), a.tail(2).toRecords());
});
