/**
 * The project's notebooks as a stranger runs them: each notebooks/*.ipynb
 * through plain `jupyter nbconvert --to notebook --execute` (no project
 * runner; Jupyter starts the kernel in notebooks/) from the project root,
 * and a few of them from notebooks/ and from an unrelated folder. A run
 * fails naming the notebook, the cell id and the error (a cell's error
 * output or a failed `Deno.test` in it). Three nbconvert processes run at a
 * time. Skipped, with the one skip line of the run, when Jupyter, the deno
 * kernelspec or the `jupyter` command is missing, unless CI is set.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { cellSource, type Notebook } from "@tools/nbdev/nbformat.ts";
import { listNotebooks } from "@tools/nbdev/project.ts";
import { skipWithoutJupyter } from "../_requires.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");
/** Also run from notebooks/: the overview (runs the job) and one reading files. */
const FROM_NOTEBOOKS = [
  "notebooks/00_overview.ipynb",
  "notebooks/01c_extract_file.ipynb",
];
const CONCURRENCY = 3;

const notebooks = listNotebooks(ROOT);
const ignore = await skipWithoutJupyter({ command: true });

/** One plain nbconvert run. */
interface Run {
  notebook: string;
  /** The folder nbconvert was started in. */
  cwd: string;
  seconds: number;
  /** Undefined when the notebook ran clean; else what failed, and where. */
  failure: string | undefined;
}

const TEST_SUMMARY = /(\d+) passed(?: \([^)]*\))? \| (\d+) failed/g;
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The first failing cell of an executed notebook: an error or a failed Deno.test. */
function firstFailure(nb: Notebook): string | undefined {
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      const o = output as {
        output_type?: string;
        ename?: string;
        evalue?: string;
        text?: string | string[];
      };
      const where = `#${cell.id ?? "?"}`;
      if (o.output_type === "error") {
        return `${where}: ${o.ename}: ${
          String(o.evalue).replace(ANSI, "").slice(0, 400)
        }`;
      }
      if (o.output_type === "stream") {
        const text = (Array.isArray(o.text) ? o.text.join("") : o.text ?? "")
          .replace(ANSI, "");
        for (const m of text.matchAll(TEST_SUMMARY)) {
          if (Number(m[2]) > 0) {
            return `${where}: ${m[2]} Deno.test failed: ${
              text.slice(0, 400)
            } (cell: ${cellSource(cell).slice(0, 80)})`;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * A kernel that died before it answered, before any cell ran: Jupyter's
 * launcher picks the kernel's ports free and binds them later, so kernels
 * started side by side can collide (seen once in CI, 2026-12-04, with the
 * same notebook passing alone). Not the notebook's failure: run again once.
 */
const KERNEL_NOT_STARTED = /Kernel died before replying to kernel_info/;

/**
 * {@link nbconvertOnce}, run a second time when the kernel never started
 * (said on the console).
 */
async function nbconvert(notebook: string, cwd: string): Promise<Run> {
  const run = await nbconvertOnce(notebook, cwd);
  if (!run.failure || !KERNEL_NOT_STARTED.test(run.failure)) return run;
  console.log(`${notebook}: the kernel did not start; running it again`);
  return await nbconvertOnce(notebook, cwd);
}

/** `jupyter nbconvert --to notebook --execute PATH`, started in `cwd`. */
async function nbconvertOnce(notebook: string, cwd: string): Promise<Run> {
  const out = await Deno.makeTempDir({ prefix: "sluice-nbconvert-" });
  const started = performance.now();
  try {
    const run = await new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=120",
        "--output-dir",
        out,
        cwd === ROOT ? notebook : join(ROOT, notebook),
      ],
      cwd,
      stdout: "piped",
      stderr: "piped",
      env: { PYDEVD_DISABLE_FILE_VALIDATION: "1", NO_COLOR: "1" },
    }).output();
    const seconds = (performance.now() - started) / 1000;
    let executed: Notebook | undefined;
    try {
      executed = JSON.parse(
        await Deno.readTextFile(join(out, basename(notebook))),
      ) as Notebook;
    } catch {
      executed = undefined;
    }
    const stderr = new TextDecoder().decode(run.stderr).replace(ANSI, "");
    const inCells = executed && firstFailure(executed);
    const failure = inCells
      ? `${notebook}${inCells}`
      : run.code !== 0 || !executed
      ? `${notebook}: nbconvert exited ${run.code}: ${
        stderr.trim().split("\n").slice(-12).join("\n")
      }`
      : undefined;
    return { notebook, cwd, seconds, failure };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/** Runs `jobs` with at most {@link CONCURRENCY} at a time, in order. */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker),
  );
  return results;
}

let batch: Promise<Run[]> | undefined;
let outside: string | undefined;

/** Every notebook from the root, a few from notebooks/ and one from elsewhere. */
function runAll(): Promise<Run[]> {
  batch ??= (async () => {
    outside = await Deno.makeTempDir({ prefix: "sluice-elsewhere-" });
    const started = performance.now();
    const runs = await pool([
      ...notebooks.map((nb) => () => nbconvert(nb, ROOT)),
      ...FROM_NOTEBOOKS.map((nb) => () => nbconvert(nb, NOTEBOOKS)),
      () => nbconvert("notebooks/03a_transform_bars.ipynb", outside!),
    ]);
    await Deno.remove(outside, { recursive: true });
    for (const r of runs) {
      console.log(
        `${r.notebook} from ${r.cwd === ROOT ? "." : r.cwd}: ${
          r.failure ? "FAILED" : "ok"
        } in ${r.seconds.toFixed(1)} s`,
      );
    }
    console.log(
      `${runs.length} plain nbconvert runs, ${CONCURRENCY} at a time: ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
    return runs;
  })();
  return batch;
}

async function runOf(notebook: string, cwd: (dir?: string) => boolean) {
  const run = (await runAll()).find((r) =>
    r.notebook === notebook && cwd(r.cwd)
  );
  assert.ok(run, `${notebook} was run`);
  assert.equal(run.failure, undefined, run.failure ?? "");
}

Deno.test("notebooks/ holds at least one notebook", () => {
  assert.ok(notebooks.length >= 1, "no notebooks/*.ipynb found");
});

for (const notebook of notebooks) {
  Deno.test({
    name:
      `${notebook} runs under plain \`jupyter nbconvert --execute\` from the root`,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => runOf(notebook, (dir) => dir === ROOT),
  });
}

for (const notebook of FROM_NOTEBOOKS) {
  Deno.test({
    name:
      `${notebook} runs under plain \`jupyter nbconvert --execute\` from notebooks/`,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => runOf(notebook, (dir) => dir === NOTEBOOKS),
  });
}

Deno.test({
  name:
    "a notebook runs under plain `jupyter nbconvert --execute` from an unrelated folder",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    runOf(
      "notebooks/03a_transform_bars.ipynb",
      (dir) => dir !== ROOT && dir !== NOTEBOOKS,
    ),
});

Deno.test("firstFailure() names the cell of an error and of a failed Deno.test", () => {
  const nb = (outputs: unknown[]): Notebook =>
    ({
      cells: [{ cell_type: "code", id: "c1", source: "x", outputs }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    }) as unknown as Notebook;
  assert.equal(firstFailure(nb([])), undefined);
  assert.equal(
    firstFailure(
      nb([{ output_type: "error", ename: "Error", evalue: "boom" }]),
    ),
    "#c1: Error: boom",
  );
  assert.match(
    firstFailure(nb([{
      output_type: "stream",
      name: "stdout",
      text: "t ... FAILED\nFAILED | 0 passed | 1 failed (3ms)\n",
    }]))!,
    /^#c1: 1 Deno.test failed/,
  );
  assert.equal(
    firstFailure(nb([{
      output_type: "stream",
      name: "stdout",
      text: "ok | 2 passed | 0 failed (3ms)\n",
    }])),
    undefined,
  );
});
