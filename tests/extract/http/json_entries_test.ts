import assert from "node:assert/strict";
import {
  JsonSyntaxError,
  parseJsonWithEntries,
} from "@pipeline/extract/http/json_entries.ts";

Deno.test("parseJsonWithEntries() builds what JSON.parse builds", async (t) => {
  const docs = [
    '{"a":1,"b":[true,false,null,-1.5e3,"x\\"y\\u00e9\\n"],"c":{"d":{}},"e":[]}',
    " [ 1 , 2 ] ",
    '"just a string"',
    '{"__proto__": {"polluted": true}}',
    "0",
  ];
  for (const doc of docs) {
    await t.step(doc, () => {
      assert.deepEqual(parseJsonWithEntries(doc).value, JSON.parse(doc));
    });
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("parseJsonWithEntries() keeps duplicate keys in document order", () => {
  const doc = parseJsonWithEntries('{"t2": 2, "t1": 1, "t2": 3}');
  assert.deepEqual(doc.entriesOf(doc.value as object), [["t2", 2], ["t1", 1], [
    "t2",
    3,
  ]]);
  assert.deepEqual(doc.value, { t2: 3, t1: 1 });
});

Deno.test("parseJsonWithEntries() rejects malformed or truncated JSON with a position", async (t) => {
  const bad: [string, RegExp][] = [
    ['{"a":1', /unexpected end of JSON input at position 6/],
    ['{"a":tr', /unexpected end|unexpected character/],
    ['{"a":1,}', /expected a string key/],
    ["[1 2]", /expected ']'/],
    ['{"a":"b\u0001"}', /control character/],
    ['"bad \\q escape"', /invalid string escape/],
    ["{} x", /after the JSON value/],
    ["", /unexpected end/],
  ];
  for (const [text, message] of bad) {
    await t.step(JSON.stringify(text), () => {
      assert.throws(() => parseJsonWithEntries(text), (err) => {
        assert.ok(err instanceof JsonSyntaxError);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

Deno.test("parseJsonWithEntries() parses a month of one-minute bars quickly", () => {
  const entries: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    entries.push(
      `"2026-11-${
        String(1 + (i % 28)).padStart(2, "0")
      } ${i}": {"1. open": "1.0", "2. high": "2.0", "3. low": "0.5", "4. close": "1.5", "5. volume": "${i}"}`,
    );
  }
  const text = `{"Time Series (1min)": {${entries.join(",")}}}`;
  const started = performance.now();
  const doc = parseJsonWithEntries(text);
  const ms = performance.now() - started;
  const series = (doc.value as Record<string, object>)["Time Series (1min)"];
  assert.ok(series);
  assert.equal(doc.entriesOf(series).length, 20_000);
  assert.ok(ms < 2_000, `took ${ms} ms`);
});
