import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  formatFloat,
  formatInstant,
  table,
  tableHtml,
  tableText,
} from "@tools/nbdev/table.ts";

Deno.test("formatInstant() shows the exchange's wall clock with its zone", async (t) => {
  const cases: [string, string, string | undefined, string][] = [
    ["winter open", "2026-11-19T14:30:00Z", undefined, "2026-11-19 09:30 EST"],
    ["summer open", "2026-07-15T13:30:00Z", undefined, "2026-07-15 09:30 EDT"],
    [
      "seconds kept",
      "2026-11-19T14:30:05Z",
      undefined,
      "2026-11-19 09:30:05 EST",
    ],
    ["UTC asked", "2026-11-01T03:00:00Z", "UTC", "2026-11-01 03:00 UTC"],
  ];
  for (const [name, iso, zone, want] of cases) {
    await t.step(
      name,
      () => assert.equal(formatInstant(new Date(iso), zone), want),
    );
  }
});

Deno.test("formatFloat() rounds to 4 decimals, small values to 4 significant digits", async (t) => {
  const cases: [number, string][] = [
    [36.080499999999994, "36.0805"],
    [2761.629883, "2761.6299"],
    [1469.25, "1469.25"],
    [0.0008312551953448821, "0.0008313"],
    [-0.11984055248695646, "-0.1198"],
    [3, "3"],
    [0, "0"],
  ];
  for (const [value, want] of cases) {
    await t.step(String(value), () => assert.equal(formatFloat(value), want));
  }
});

Deno.test("table() displays a frame with zoned instants, plain dates and rounded floats", () => {
  const frame = pl.DataFrame({
    ts: [new Date("2026-11-19T14:48:00Z")],
    close: [36.080499999999994],
    volume: [46943],
    symbol: ["AAPL"],
  }).withColumns(pl.col("ts").cast(pl.Date).alias("session"));
  const html = tableHtml(frame);
  assert.match(html, /<th>ts<\/th><th>close<\/th>/);
  assert.match(html, /<td>2026-11-19 09:48 EST<\/td>/);
  assert.match(html, />36\.0805<\/td>/);
  assert.match(html, />46943<\/td>/);
  assert.match(html, /<td>2026-11-19<\/td>/);
  assert.doesNotMatch(html, /GMT|Coordinated Universal Time|36\.0804999/);
  const shown = (table(frame) as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]!();
  assert.equal(shown["text/html"], html);
  assert.equal(
    shown["text/plain"]!.split("\n")[2],
    "2026-11-19 09:48 EST  36.0805  46943   AAPL    2026-11-19",
  );
});

Deno.test("table() shows a frame whose columns are named columns and schema", () => {
  const frame = pl.DataFrame({ columns: ["a, b"], schema: [1.5] });
  assert.match(tableHtml(frame), /<th>columns<\/th><th>schema<\/th>/);
  assert.match(tableHtml(frame), /<td>a, b<\/td>/);
});

Deno.test("table() takes rows, escapes HTML and says when rows were cut", () => {
  const rows = Array.from({ length: 3 }, (_, i) => ({ n: i, note: "<b>" }));
  const html = tableHtml(rows, { maxRows: 2 });
  assert.match(html, /<caption>first 2 of 3 rows<\/caption>/);
  assert.match(html, /&lt;b&gt;/);
  assert.equal((html.match(/<tr>/g) ?? []).length, 3, "header and two rows");
  assert.match(tableText(rows, { maxRows: 2 }), /\(first 2 of 3 rows\)$/);
});
