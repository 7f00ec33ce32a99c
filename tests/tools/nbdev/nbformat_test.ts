import assert from "node:assert/strict";
import {
  parseNotebook,
  serializeNotebook,
  splitLines,
} from "@tools/nbdev/nbformat.ts";
import { NotebookError } from "@tools/nbdev/errors.ts";
import { code, notebook } from "./_project.ts";

Deno.test("splitLines() splits like Python's splitlines(keepends=True)", async (t) => {
  const cases: [string, string[]][] = [
    ["", []],
    ["a", ["a"]],
    ["a\nb", ["a\n", "b"]],
    ["a\nb\n", ["a\n", "b\n"]],
    ["\n\n", ["\n", "\n"]],
    ["a\r\nb", ["a\r\n", "b"]],
    ["a\u2028b", ["a\u2028", "b"]],
  ];
  for (const [text, lines] of cases) {
    await t.step(JSON.stringify(text), () => {
      assert.deepEqual(splitLines(text), lines);
      assert.equal(splitLines(text).join(""), text);
    });
  }
});

Deno.test("serializeNotebook() writes Jupyter's layout: sorted keys, 1-space indent, source lines, trailing newline", () => {
  const text = serializeNotebook(
    notebook([code("a", "const a = 1;\nconst b = 2;")]),
  );
  assert.equal(
    text,
    `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "a",
   "metadata": {},
   "outputs": [],
   "source": [
    "const a = 1;\\n",
    "const b = 2;"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Deno",
   "language": "typescript",
   "name": "deno"
  },
  "language_info": {
   "file_extension": ".ts",
   "name": "typescript"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`,
  );
  assert.deepEqual(parseNotebook(text, "x.ipynb").cells[0]?.source, [
    "const a = 1;\n",
    "const b = 2;",
  ]);
});

Deno.test("parseNotebook() names the notebook when the text is not an nbformat 4 notebook", async (t) => {
  const cases: [string, RegExp][] = [
    ["{", /^notebooks\/x\.ipynb: is not valid JSON/],
    ['{"nbformat": 3, "cells": []}', /is not an nbformat 4 notebook/],
    ['{"nbformat": 4}', /is not an nbformat 4 notebook/],
    [
      '{"nbformat": 4, "cells": [{"cell_type": "widget"}]}',
      /cell 0 is not a code, markdown or raw cell/,
    ],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => {
      assert.throws(() => parseNotebook(text, "notebooks/x.ipynb"), (err) => {
        assert.ok(err instanceof NotebookError);
        assert.match(err.message, expected);
        return true;
      });
    });
  }
});
