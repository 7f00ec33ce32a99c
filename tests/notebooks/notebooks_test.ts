/**
 * The project's notebooks as tests: every notebooks/*.ipynb runs headlessly
 * through the real Deno kernel (tools/nbdev/execute.ts), started in
 * notebooks/ as Jupyter starts it, and fails naming notebook, cell id and error.
 * Skipped with an install hint when Jupyter or the deno kernelspec is
 * missing, unless CI is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  describeFailure,
  executeNotebooks,
  type ExecuteResult,
} from "@tools/nbdev/execute.ts";
import { ignoreWithoutJupyter } from "@tools/nbdev/jupyter.ts";
import { listNotebooks } from "@tools/nbdev/project.ts";

const ROOT = join(import.meta.dirname!, "..", "..");

const notebooks = listNotebooks(ROOT);
const ignore = await ignoreWithoutJupyter("tests/notebooks/notebooks_test.ts");

let batch:
  | Promise<{ results: Map<string, ExecuteResult>; seconds: number }>
  | undefined;

/** Executes every notebook once (a few kernels at a time). */
function executeAll() {
  batch ??= (async () => {
    const started = performance.now();
    const results = await executeNotebooks(
      notebooks.map((notebook) => ({ notebook })),
      { root: ROOT },
    );
    const seconds = (performance.now() - started) / 1000;
    for (const r of results) {
      console.log(
        `${r.notebook}: ${
          r.ok ? "ok" : "FAILED"
        } in ${r.durationS} s (kernel start ${r.startupS} s)`,
      );
    }
    console.log(`all ${results.length} notebook(s): ${seconds.toFixed(1)} s`);
    return { results: new Map(results.map((r) => [r.notebook, r])), seconds };
  })();
  return batch;
}

Deno.test("notebooks/ holds at least one notebook", () => {
  assert.ok(notebooks.length >= 1, "no notebooks/*.ipynb found");
});

for (const notebook of notebooks) {
  Deno.test({
    name: `${notebook} executes without errors`,
    ignore,
    async fn() {
      const result = (await executeAll()).results.get(notebook)!;
      assert.ok(result.ok, describeFailure(result));
    },
  });
}

Deno.test({
  name:
    "a notebook runs under plain `jupyter nbconvert --execute` from any folder",
  ignore,
  async fn() {
    // What a stranger does: no project runner, the kernel started by Jupyter
    // in notebooks/, and the command run from somewhere else entirely.
    const out = await Deno.makeTempDir({ prefix: "sluice-nbconvert-" });
    try {
      const run = await new Deno.Command("jupyter", {
        args: [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--output-dir",
          out,
          join(ROOT, "notebooks", "03a_transform_bars.ipynb"),
        ],
        cwd: out,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 0, stderr.split("\n").slice(-15).join("\n"));
      const executed = JSON.parse(
        await Deno.readTextFile(join(out, "03a_transform_bars.ipynb")),
      ) as { cells: { outputs?: { output_type: string }[] }[] };
      const errors = executed.cells.flatMap((c) => c.outputs ?? [])
        .filter((o) => o.output_type === "error");
      assert.equal(errors.length, 0);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
