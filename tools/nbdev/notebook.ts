/**
 * `deno task notebook run|test`: parameterised runs and headless execution
 * of notebooks from the command line, over {@link runNotebook} and
 * {@link executeNotebooks}.
 * @module
 */
import { parseArgs } from "node:util";
import { parseParameters } from "@tools/nbdev/parameters.ts";
import { runNotebook } from "@tools/nbdev/run.ts";
import {
  DEFAULT_CONCURRENCY,
  describeFailure,
  executeNotebooks,
} from "@tools/nbdev/execute.ts";
import {
  listNotebooks,
  projectPath,
  resolveRoot,
} from "@tools/nbdev/project.ts";

const HELP = `Run notebooks headlessly through the Deno Jupyter kernel.

Usage:
  deno run -A tools/nbdev/notebook.ts run NOTEBOOK [-p NAME=VALUE]... [options]
  deno run -A tools/nbdev/notebook.ts test [NOTEBOOK...] [options]

Commands:
  run    Inject parameters after the cell tagged "parameters" (as a cell tagged
         "injected-parameters"), execute, and save the executed notebook with
         its run record (metadata.sluice.run: notebook, parameters, start, end,
         duration_s, error) as <out>/<notebook-stem>/<timestamp>.ipynb, also
         when a cell fails (then exit 1 naming the cell). With --to html, also
         an HTML report beside it (<timestamp>.html, through nbconvert).
  test   Execute notebooks (default: every notebooks/*.ipynb) and exit 1
         naming the notebook, cell id and error of each failure.

Kernels start in the notebook's folder, as in Jupyter. Cells marked
"//| eval: false" are not executed. A failing Deno.test in a cell fails it.

Options:
  -p, --param NAME=VALUE  (run) A parameter; repeatable. Numbers stay numbers,
                          true/false are booleans, anything else a string. The
                          parameters cell must declare NAME (let NAME = ...;).
  --out DIR               (run) Folder of run folders (default: data/runs).
  --to html               (run) Also write an HTML report of the executed notebook.
  --no-code               (run, with --to html) Leave the code out of the report:
                          prose, tables and charts only (nbconvert --no-input).
  --timeout S             Seconds a cell may run (default: 60).
  --concurrency N         (test) Kernels at once (default: 3).
  --root DIR              Project root (default: cwd).
  -h, --help              Show this help.`;

/** The command line of `deno task notebook`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      param: { type: "string", short: "p", multiple: true, default: [] },
      out: { type: "string" },
      to: { type: "string" },
      "no-code": { type: "boolean", default: false },
      timeout: { type: "string", default: "60" },
      concurrency: { type: "string" },
      root: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (command === undefined) {
    console.error(HELP);
    return 2;
  }
  const root = resolveRoot(values.root);
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) {
    console.error(
      `notebook: --timeout ${values.timeout} is not a positive number`,
    );
    return 2;
  }
  if (command === "run") {
    if (rest.length !== 1) {
      console.error("notebook run: give exactly one notebook");
      return 2;
    }
    if (values.to !== undefined && values.to !== "html") {
      console.error(
        `notebook run: --to ${values.to} is not a report format (html)`,
      );
      return 2;
    }
    if (values["no-code"] && values.to !== "html") {
      console.error("notebook run: --no-code needs --to html");
      return 2;
    }
    const notebook = projectPath(root, rest[0]!);
    const run = await runNotebook(notebook, {
      root,
      parameters: parseParameters(values.param),
      timeoutS,
      ...(values.out ? { outDir: values.out } : {}),
      ...(values.to === "html" ? { html: { noCode: values["no-code"] } } : {}),
    });
    const saved = run.html ? `${run.path} and ${run.html}` : run.path;
    if (run.ok) {
      console.log(
        `notebook run: ${notebook} ran in ${run.record.duration_s} s; saved ${saved}`,
      );
      return 0;
    }
    console.error(
      `notebook run: ${describeFailure(run.execution)}\nsaved ${saved}`,
    );
    return 1;
  }
  if (command === "test") {
    const notebooks = rest.length > 0
      ? rest.map((p) => projectPath(root, p))
      : listNotebooks(root);
    const started = performance.now();
    const results = await executeNotebooks(
      notebooks.map((notebook) => ({ notebook })),
      {
        root,
        timeoutS,
        concurrency: Number(values.concurrency) || DEFAULT_CONCURRENCY,
      },
    );
    for (const result of results) {
      if (result.ok) {
        console.log(
          `ok     ${result.notebook} (${result.durationS} s, kernel start ${result.startupS} s)`,
        );
      } else console.error(`FAILED ${describeFailure(result)}`);
    }
    const failed = results.filter((r) => !r.ok).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`notebook test: ${seconds} s`);
    console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  }
  console.error(`notebook: unknown command "${command}" (run, test)`);
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`notebook: ${(err as Error).message}`);
    Deno.exit(2);
  }
}
