import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanNotebook, cleanNotebooks } from "@tools/nbdev/clean_notebook.ts";
import { main } from "@tools/nbdev/clean.ts";
import { type Notebook, serializeNotebook } from "@tools/nbdev/nbformat.ts";
import { code, markdown, notebook, tempProject } from "./_project.ts";

/** A notebook as Jupyter saves it after a run. */
function dirtyNotebook(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {
      kernelspec: {
        display_name: "Deno",
        language: "typescript",
        name: "deno",
        env: {},
      },
      language_info: {
        codemirror_mode: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        name: "typescript",
        version: "5.6.2",
      },
      widgets: { state: {} },
    },
    cells: [
      {
        cell_type: "markdown",
        metadata: { collapsed: false },
        source: ["# Bars\n", "How bars are resampled."],
      },
      {
        cell_type: "code",
        execution_count: 3,
        metadata: { tags: ["parameters"], scrolled: true },
        outputs: [{ output_type: "stream", name: "stdout", text: ["hi\n"] }],
        source: 'let symbol = "AAPL";',
      },
      {
        cell_type: "code",
        id: "kept-id",
        execution_count: 4,
        metadata: { execution: { "iopub.status.busy": "2026-11-22" } },
        outputs: [],
        source: "export function resampleBars() {}",
      },
      {
        cell_type: "code",
        execution_count: null,
        metadata: { tags: [] },
        outputs: [],
        source: "export function resampleBars() {}",
      },
    ],
  };
}

Deno.test("cleanNotebook() strips outputs, counts and metadata, and assigns readable ids", () => {
  const { notebook: clean, issues } = cleanNotebook(dirtyNotebook());
  assert.deepEqual(clean, {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        display_name: "Deno",
        language: "typescript",
        name: "deno",
      },
      language_info: { file_extension: ".ts", name: "typescript" },
    },
    cells: [
      {
        cell_type: "markdown",
        id: "bars",
        metadata: {},
        source: ["# Bars\n", "How bars are resampled."],
      },
      {
        cell_type: "code",
        id: "parameters",
        metadata: { tags: ["parameters"] },
        source: 'let symbol = "AAPL";',
        outputs: [],
        execution_count: null,
      },
      {
        cell_type: "code",
        id: "kept-id",
        metadata: {},
        source: "export function resampleBars() {}",
        outputs: [],
        execution_count: null,
      },
      {
        cell_type: "code",
        id: "resample-bars",
        metadata: {},
        source: "export function resampleBars() {}",
        outputs: [],
        execution_count: null,
      },
    ],
  });
  assert.deepEqual(issues, [
    'cell 0 has no id (assigned "bars")',
    'cell 1 has no id (assigned "parameters")',
    'cell 3 has no id (assigned "resample-bars")',
    "notebook metadata has widgets",
    "kernelspec has env",
    "language_info has codemirror_mode, mimetype, version",
    "cell bars has metadata collapsed",
    "cell parameters has metadata scrolled",
    "cell parameters has 1 output(s)",
    "cell parameters has execution count 3",
    "cell kept-id has metadata execution",
    "cell kept-id has execution count 4",
    "cell resample-bars has empty or invalid tags",
    "nbformat 4.4, not 4.5 (cell ids need 4.5)",
  ]);
});

Deno.test("cleanNotebook() is idempotent and finds nothing in a clean notebook", () => {
  const once = cleanNotebook(dirtyNotebook()).notebook;
  const twice = cleanNotebook(once);
  assert.deepEqual(twice.issues, []);
  assert.equal(serializeNotebook(twice.notebook), serializeNotebook(once));
});

Deno.test("cleanNotebook() gives the later of two cells sharing an id a new one", () => {
  const nb = notebook([
    code("dup", "const a = 1;"),
    code("dup", "const b = 2;"),
  ]);
  const { notebook: clean, issues } = cleanNotebook(nb);
  assert.deepEqual(clean.cells.map((c) => c.id), ["dup", "b"]);
  assert.deepEqual(issues, [
    'cell 1 has an invalid or duplicate id "dup" (assigned "b")',
  ]);
});

Deno.test("cleanNotebooks() cleans in place with Jupyter's layout; --check names the notebook and what is unclean", async () => {
  const project = await tempProject();
  try {
    const dirty = "notebooks/01_dirty.ipynb";
    await project.write(dirty, JSON.stringify(dirtyNotebook()));
    const clean = await project.writeNotebook(
      "02_clean.ipynb",
      notebook([markdown("intro", "# Clean"), code("a", "const a = 1;")]),
    );
    const check = await cleanNotebooks({ root: project.root, check: true });
    assert.equal(check.ok, false);
    assert.deepEqual(
      check.notebooks.map((n) => [n.notebook, n.issues.length > 0, n.written]),
      [
        [dirty, true, false],
        [clean, false, false],
      ],
    );
    assert.equal(await project.read(dirty), JSON.stringify(dirtyNotebook()));

    const report = await cleanNotebooks({ root: project.root });
    assert.equal(report.ok, true);
    assert.deepEqual(report.notebooks.map((n) => n.written), [true, false]);
    const text = await project.read(dirty);
    assert.ok(text.endsWith("}\n"));
    assert.match(
      text,
      /^{\n "cells": \[\n {2}{\n {3}"cell_type": "markdown",\n {3}"id": "bars",/,
    );
    assert.match(
      text,
      /"source": \[\n {4}"# Bars\\n",\n {4}"How bars are resampled\."\n {3}\]/,
    );
    assert.doesNotMatch(text, /"outputs": \[\n\s+\{/);

    const again = await cleanNotebooks({ root: project.root, check: true });
    assert.equal(again.ok, true);
  } finally {
    await project.dispose();
  }
});

Deno.test("cleanNotebooks({ check }) flags a notebook whose only fault is its JSON layout", async () => {
  const project = await tempProject();
  try {
    const nb = notebook([code("a", "const a = 1;\nconst b = 2;")]);
    await project.write("notebooks/01_a.ipynb", JSON.stringify(nb, null, 2));
    const check = await cleanNotebooks({ root: project.root, check: true });
    assert.deepEqual(check.notebooks[0]?.issues, [
      "is not in Jupyter's stable JSON layout (sorted keys, 1-space indent, source as a list of lines, trailing newline)",
    ]);
  } finally {
    await project.dispose();
  }
});

Deno.test("clean.ts --check exits 1 on an unclean notebook and 0 once cleaned", async () => {
  const project = await tempProject();
  try {
    await project.write(
      "notebooks/01_dirty.ipynb",
      JSON.stringify(dirtyNotebook()),
    );
    const errors: string[] = [];
    const error = console.error;
    const log = console.log;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    console.log = () => {};
    try {
      assert.equal(await main(["--check", "--root", project.root]), 1);
      assert.equal(await main(["--root", project.root]), 0);
      assert.equal(await main(["--check", "--root", project.root]), 0);
    } finally {
      console.error = error;
      console.log = log;
    }
    assert.equal(
      errors[0],
      "notebooks:clean --check: notebooks/01_dirty.ipynb is not clean:",
    );
    assert.ok(
      errors.includes("  - cell parameters has 1 output(s)"),
      errors.join("\n"),
    );
    const nb = JSON.parse(
      await Deno.readTextFile(join(project.root, "notebooks/01_dirty.ipynb")),
    );
    assert.equal(nb.cells[1].outputs.length, 0);
  } finally {
    await project.dispose();
  }
});
