import assert from "node:assert/strict";
import {
  kernelName,
  prepareForExecution,
  SKIPPED_COMMENT,
} from "@tools/nbdev/prepare.ts";
import { cellSource } from "@tools/nbdev/nbformat.ts";
import { code, notebook } from "./_project.ts";

Deno.test("prepareForExecution() comments out //| eval: false cells and clears outputs", () => {
  const nb = notebook([
    code("a", "const a = 1;"),
    code(
      "skip",
      '//| eval: false\n//| export\nawait fetch("https://example.com");\nthrow new Error("no");',
    ),
  ]);
  nb.cells[0]!.outputs = [{ output_type: "stream", name: "stdout", text: "x" }];
  nb.cells[0]!.execution_count = 1;
  const prepared = prepareForExecution(nb, { notebook: "notebooks/x.ipynb" });
  assert.equal(cellSource(prepared.cells[0]!), "const a = 1;");
  assert.deepEqual(prepared.cells[0]!.outputs, []);
  assert.equal(prepared.cells[0]!.execution_count, null);
  assert.equal(
    cellSource(prepared.cells[1]!),
    [
      "//| eval: false",
      "//| export",
      SKIPPED_COMMENT,
      '// await fetch("https://example.com");',
      '// throw new Error("no");',
    ].join("\n"),
  );
  // the original is untouched
  assert.equal(nb.cells[0]!.execution_count, 1);
});

Deno.test("kernelName() reads the kernelspec, defaulting to deno", () => {
  assert.equal(kernelName(notebook([])), "deno");
  assert.equal(kernelName({ ...notebook([]), metadata: {} }), "deno");
  assert.equal(
    kernelName({
      ...notebook([]),
      metadata: { kernelspec: { name: "python3" } },
    }),
    "python3",
  );
});
