/**
 * Notebooks as tests: fixture notebooks run through the real Deno kernel.
 * Skipped (with how to install) when Jupyter or the deno kernelspec is
 * missing, unless CI is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  describeFailure,
  executeNotebooks,
  type ExecuteResult,
} from "@tools/nbdev/execute.ts";
import { skipWithoutJupyter } from "../../_requires.ts";
import { cellSource, joinLines, type Json } from "@tools/nbdev/nbformat.ts";
import { SKIPPED_COMMENT } from "@tools/nbdev/prepare.ts";
import { code, markdown, notebook, tempProject } from "./_project.ts";

const ignore = await skipWithoutJupyter();

const okNotebook = notebook([
  markdown("intro", "# Fixture"),
  code(
    "imports",
    'import { greet } from "@pipeline/demo/greet.ts";\nimport pl from "nodejs-polars";',
  ),
  code("hello", 'console.log(greet("world"), Deno.cwd());'),
  code(
    "frame",
    "pl.DataFrame({ symbol: ['AAPL', 'MSFT'], close: [1.5, 2.5] })",
  ),
  code("skipped", '//| eval: false\nthrow new Error("must not run");'),
  code(
    "unit",
    'Deno.test("greet() greets", () => {\n  if (greet("a") !== "hello a") throw new Error("bad");\n});',
  ),
  code("last", 'console.log("done")'),
]);

const failingNotebook = notebook([
  code("fine", "const x = 1;"),
  code("boom", 'throw new Error("kaboom");'),
  code("after", 'console.log("never")'),
]);

const failingTestNotebook = notebook([
  code(
    "passing",
    'Deno.test("steps pass", async (t) => {\n  await t.step("one", () => {});\n});',
  ),
  code(
    "tests",
    'Deno.test("always fails", () => {\n  throw new Error("nope");\n});\nDeno.test("a step fails", async (t) => {\n  await t.step("inner", () => {\n    throw new Error("inner nope");\n  });\n});',
  ),
]);

const hangingNotebook = notebook([
  code("hang", "await new Promise(() => {});"),
]);

let results:
  | Promise<{ root: string; byName: Map<string, ExecuteResult> }>
  | undefined;

/** Runs every fixture once (one batch, plus the short-timeout one). */
function runFixtures() {
  results ??= (async () => {
    const project = await tempProject();
    try {
      await project.write(
        "pipeline/demo/greet.ts",
        "export function greet(name: string): string {\n  return `hello ${name}`;\n}\n",
      );
      const names = [
        await project.writeNotebook("01_ok.ipynb", okNotebook),
        await project.writeNotebook("02_fails.ipynb", failingNotebook),
        await project.writeNotebook("03_test_fails.ipynb", failingTestNotebook),
      ];
      const hanging = await project.writeNotebook(
        "04_hangs.ipynb",
        hangingNotebook,
      );
      const [batch, timedOut] = await Promise.all([
        executeNotebooks(names.map((notebook) => ({ notebook })), {
          root: project.root,
        }),
        executeNotebooks([{ notebook: hanging }], {
          root: project.root,
          timeoutS: 1,
        }),
      ]);
      const byName = new Map(
        [...batch, ...timedOut].map((r) => [r.notebook, r]),
      );
      return { root: project.root, byName };
    } finally {
      await project.dispose();
    }
  })();
  return results;
}

function outputsOf(result: ExecuteResult, id: string): Json[] {
  const cell = result.executed?.cells.find((c) => c.id === id);
  assert.ok(cell, `cell ${id} is in the executed notebook`);
  return cell.outputs ?? [];
}

function text(output: Json): string {
  const o = output as { text?: string | string[] };
  return joinLines(o.text);
}

Deno.test({
  name:
    "executeNotebooks() starts the kernel in the notebook's folder, as Jupyter does, and @pipeline/ imports resolve",
  ignore,
  async fn() {
    const { root, byName } = await runFixtures();
    const result = byName.get("notebooks/01_ok.ipynb")!;
    assert.equal(result.ok, true, describeFailure(result));
    assert.equal(result.error, null);
    assert.equal(
      text(outputsOf(result, "hello")[0]!),
      `hello world ${join(root, "notebooks")}\n`,
    );
    assert.equal(text(outputsOf(result, "last")[0]!), "done\n");
    assert.ok((result.startupS ?? 0) > 0);
    assert.ok((result.durationS ?? 0) >= (result.startupS ?? 0));
    assert.deepEqual(result.cells.map((c) => c.id), [
      "imports",
      "hello",
      "frame",
      "skipped",
      "unit",
      "last",
    ]);
  },
});

Deno.test({
  name: "executeNotebooks() keeps a DataFrame's text/html table output",
  ignore,
  async fn() {
    const { byName } = await runFixtures();
    const [output] = outputsOf(byName.get("notebooks/01_ok.ipynb")!, "frame");
    const data = (output as { data: Record<string, Json> }).data;
    assert.match(
      joinLines(data["text/html"] as string | string[]),
      /^<table><thead><tr><th>symbol<\/th><th>close<\/th><\/tr><\/thead><tbody><tr><td>AAPL<\/td><td>1.5<\/td>/,
    );
  },
});

Deno.test({
  name:
    "executeNotebooks() does not run a //| eval: false cell and shows it as a comment",
  ignore,
  async fn() {
    const { byName } = await runFixtures();
    const result = byName.get("notebooks/01_ok.ipynb")!;
    const cell = result.executed!.cells.find((c) => c.id === "skipped")!;
    assert.equal(
      cellSource(cell),
      `//| eval: false\n${SKIPPED_COMMENT}\n// throw new Error("must not run");`,
    );
    assert.deepEqual(cell.outputs, []);
  },
});

Deno.test({
  name:
    "executeNotebooks() fails on a throwing cell, naming notebook, cell id and error, and stops there",
  ignore,
  async fn() {
    const { byName } = await runFixtures();
    const result = byName.get("notebooks/02_fails.ipynb")!;
    assert.equal(result.ok, false);
    assert.deepEqual(
      { ...result.error!, traceback: undefined },
      {
        cellIndex: 1,
        cellId: "boom",
        ename: "Error",
        evalue: "kaboom",
        traceback: undefined,
      },
    );
    assert.match(
      describeFailure(result),
      /^notebooks\/02_fails\.ipynb#boom \(cell 1\): Error: kaboom\n/,
    );
    assert.deepEqual(outputsOf(result, "after"), []);
    // the executed copy keeps the error output
    assert.equal(
      (outputsOf(result, "boom")[0] as { ename: string }).ename,
      "Error",
    );
  },
});

Deno.test({
  name:
    "executeNotebooks() fails a cell whose Deno.test fails, naming the test",
  ignore,
  async fn() {
    const { byName } = await runFixtures();
    const result = byName.get("notebooks/03_test_fails.ipynb")!;
    assert.equal(result.ok, false);
    assert.equal(result.error?.cellId, "tests");
    assert.equal(result.error?.ename, "DenoTestFailure");
    assert.equal(
      result.error?.evalue,
      "2 Deno.test failed: always fails, a step fails ... inner",
    );
    assert.match(result.error!.traceback, /error: Error: nope/);
  },
});

Deno.test({
  name: "executeNotebooks() stops a cell at the per-cell timeout",
  ignore,
  async fn() {
    const { byName } = await runFixtures();
    const result = byName.get("notebooks/04_hangs.ipynb")!;
    assert.equal(result.ok, false);
    assert.equal(result.error?.cellId, "hang");
    assert.equal(result.error?.ename, "CellTimeoutError");
    assert.equal(result.error?.evalue, "did not finish within 1 s");
  },
});
