import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { quarantineUnsafeExtras } from "@pipeline/datasets/extras.ts";

const FIELDS = ["symbol", "ts"] as const;

Deno.test("quarantineUnsafeExtras() splits off records whose extras hold control characters", () => {
  const raw = pl.DataFrame({
    symbol: ["AAPL", "MSFT", "IBM"],
    ts: ["t1", "t2", "t3"],
    record: ["in.csv:2", "in.csv:3", "in.csv:4"],
    "+note": ["ok", "bad\u0000note", null],
    "+venue": ["X", "Y", "Z\u0007"],
  });
  const { clean, quarantine } = quarantineUnsafeExtras(raw, {
    fields: FIELDS,
    entity: "symbol",
  });
  assert.deepEqual(clean.getColumn("record").toArray(), ["in.csv:2"]);
  assert.deepEqual(clean.columns, raw.columns);
  assert.deepEqual(quarantine.toRecords(), [
    {
      record: "in.csv:3",
      symbol: "MSFT",
      ts: "t2",
      field: "note",
      reason:
        'note: contains a control character or invalid UTF-8, got "bad\\u0000note"',
      raw: '{"symbol":"MSFT","ts":"t2","+note":"bad\\u0000note","+venue":"Y"}',
    },
    {
      record: "in.csv:4",
      symbol: "IBM",
      ts: "t3",
      field: "venue",
      reason:
        'venue: contains a control character or invalid UTF-8, got "Z\\u0007"',
      raw: '{"symbol":"IBM","ts":"t3","+note":null,"+venue":"Z\\u0007"}',
    },
  ]);
});

Deno.test("quarantineUnsafeExtras() returns a frame without extras or poison as it was", () => {
  const plain = pl.DataFrame({ symbol: ["A"], ts: ["t"], record: ["r"] });
  const a = quarantineUnsafeExtras(plain, { fields: FIELDS, entity: "symbol" });
  assert.equal(a.clean, plain);
  assert.equal(a.quarantine.height, 0);
  const safe = plain.withColumns(pl.lit("fine").alias("+note"));
  const b = quarantineUnsafeExtras(safe, { fields: FIELDS, entity: "symbol" });
  assert.equal(b.clean, safe);
  assert.deepEqual(b.quarantine.columns, [
    "record",
    "symbol",
    "ts",
    "field",
    "reason",
    "raw",
  ]);
});
