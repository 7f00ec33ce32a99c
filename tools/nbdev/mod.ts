/**
 * nbdev for TypeScript/Deno: notebooks are the source of stage modules,
 * their tests and their documentation.
 *
 * Writing a notebook (`notebooks/NN_name.ipynb`, Deno kernel):
 *
 * - `//| default_exp transform/bars` once (usually in the first code cell)
 *   names the module, `pipeline/transform/bars.ts`; one notebook per module.
 * - A code cell starting with `//| export` goes into that module, in cell
 *   order, after a `// %% notebooks/NN_name.ipynb#cell-id` marker; the first
 *   exported cell may open with the module's `@module` JSDoc. Exported cells
 *   import project code as `@pipeline/...` (never `./` or `../`) and never
 *   use `Deno.jupyter`. `deno task export` writes the modules (deno fmt
 *   formatted), `--check` diffs them, `--update` carries module edits back.
 * - `//| export datasets/eod/rules` sends a cell to
 *   `pipeline/datasets/eod/rules.ts` instead: one notebook may document a
 *   folder of one-concept modules (a dataset's), each generated from it.
 * - Other cells demonstrate and test: the last expression of a cell is
 *   displayed. Tables go through `table(frame)` (`@tools/nbdev/table.ts`,
 *   imported in the first code cell): instants in the exchange time zone,
 *   floats rounded. Charts are Observable Plot charts made with a linkedom
 *   `document`, each with a `title` and, where colour encodes a series,
 *   `color: { legend: true }` (shown as a `<figure>`). A cell that
 *   throws, or whose `Deno.test` fails, fails the notebook's test; assert
 *   with `node:assert/strict` or `Deno.test`.
 * - `//| eval: false` keeps a cell from being executed (network, long runs).
 * - Parameters: tag one cell `parameters` and declare each with `let`, one
 *   per line (`let symbol = "AAPL";`); `deno task notebook run nb -p
 *   symbol=MSFT` injects a cell re-declaring them after it.
 * - Kernels start in the notebook's folder (as in Jupyter); the first code
 *   cell of each notebook calls `enterProjectRoot()` from
 *   `@tools/nbdev/project_root.ts`, so paths like `data/samples/x.csv`
 *   resolve as they do for `deno task` commands.
 * - `deno task notebooks:clean` before committing: no outputs, no execution
 *   counts, only kernelspec/language_info and cell ids/tags, readable ids
 *   assigned to cells without one.
 *
 * Commands: `deno task export [--check|--update]`, `deno task
 * notebooks:clean [--check]`, `deno task notebook run|test` (`run --to
 * html [--no-code]`: an HTML report), `deno task docs [--no-code]` (HTML
 * pages with charts under data/docs/, an index with titles, summaries and
 * first charts), `deno task jupyter:setup [--editor]`. Execution needs
 * Jupyter's nbclient (Debian: `.ci/setup-jupyter.sh`) and the Deno
 * kernelspec.
 * @module
 */
export {
  exportNotebooks,
  type ExportOptions,
  type ExportReport,
  type ModuleReport,
} from "@tools/nbdev/export_modules.ts";
export {
  updateNotebooks,
  type UpdateOptions,
  type UpdateReport,
} from "@tools/nbdev/update_notebooks.ts";
export {
  cleanNotebook,
  cleanNotebooks,
  type CleanOptions,
  type CleanReport,
} from "@tools/nbdev/clean_notebook.ts";
export {
  type CellFailure,
  DEFAULT_CONCURRENCY,
  describeFailure,
  executeNotebook,
  executeNotebooks,
  type ExecuteOptions,
  type ExecuteRequest,
  type ExecuteResult,
} from "@tools/nbdev/execute.ts";
export {
  runNotebook,
  type RunOptions,
  type RunRecord,
  type RunResult,
} from "@tools/nbdev/run.ts";
export {
  type Parameters,
  type ParameterValue,
  parseParameters,
} from "@tools/nbdev/parameters.ts";
export {
  buildDocs,
  type DocsOptions,
  type DocsPage,
  type DocsReport,
} from "@tools/nbdev/build_docs.ts";
export { inspectPage, type PageInfo } from "@tools/nbdev/charts.ts";
export { table, type TableOptions } from "@tools/nbdev/table.ts";
export {
  forRendering,
  type HtmlInput,
  writeHtml,
} from "@tools/nbdev/html_report.ts";
export { type EditorPlan, planEditor } from "@tools/nbdev/editor.ts";
export { dumpDom } from "@tools/nbdev/chromium.ts";
export {
  detectJupyter,
  type ExecutionNeeds,
  type JupyterEnv,
  missingForExecution,
} from "@tools/nbdev/jupyter.ts";
export {
  formatProblem,
  NotebookError,
  type Problem,
} from "@tools/nbdev/errors.ts";
export {
  type Cell,
  type Notebook,
  readNotebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
