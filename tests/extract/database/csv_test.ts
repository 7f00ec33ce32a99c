import assert from "node:assert/strict";
import { csvField, csvLines } from "@pipeline/extract/database/csv.ts";

Deno.test("csvField(): NULL unquoted empty, empty string quoted, specials quoted", () => {
  assert.equal(csvField(null), "");
  assert.equal(csvField(""), '""');
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField("line\nbreak"), '"line\nbreak"');
  assert.equal(csvField(12), "12");
  assert.equal(
    csvField(new Date("2026-11-17T10:00:00Z")),
    "2026-11-17T10:00:00.000Z",
  );
  assert.equal(
    csvLines([[1, null, "x"], [2, "", "y,z"]]),
    '1,,x\n2,"","y,z"\n',
  );
});

Deno.test("csvLines() with plain columns writes them as they are, NULL still empty", () => {
  assert.equal(
    csvLines([[1, "a,b", "2026-11-17 10:00:00.000"], [null, "", null]], [
      true,
      false,
      true,
    ]),
    '1,"a,b",2026-11-17 10:00:00.000\n,"",\n',
  );
});
