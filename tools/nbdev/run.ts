/**
 * Parameterised runs (`deno task notebook run <nb> -p name=value`): inject
 * the parameters, execute, and keep the executed notebook with a run record
 * in its metadata (`sluice.run`) under `data/runs/<stem>/<timestamp>.ipynb`,
 * also when a cell fails; with `html`, also an HTML report beside it
 * (`<timestamp>.html`, with or without the code).
 * @module
 */
import { join } from "node:path";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import {
  type Json,
  readNotebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
import { type Parameters } from "@tools/nbdev/parameters.ts";
import { executeNotebook, type ExecuteResult } from "@tools/nbdev/execute.ts";
import { notebookStem, resolveRoot } from "@tools/nbdev/project.ts";
import { prepareForExecution } from "@tools/nbdev/prepare.ts";
import { detectJupyter, INSTALL_HINT } from "@tools/nbdev/jupyter.ts";
import { writeHtml } from "@tools/nbdev/html_report.ts";
import { notebookTitle } from "@tools/nbdev/build_docs.ts";

/** The run record kept in the executed notebook's `metadata.sluice.run`. */
export interface RunRecord {
  /** Notebook path relative to the root. */
  notebook: string;
  parameters: Parameters;
  /** ISO-8601 start and end. */
  start: string;
  end: string;
  duration_s: number;
  /** The failing cell, or null when every cell ran. */
  error: {
    cell_id: string | null;
    cell_index: number | null;
    ename: string;
    evalue: string;
  } | null;
}

/** The outcome of {@link runNotebook}. */
export interface RunResult {
  ok: boolean;
  /** Absolute path of the saved executed notebook. */
  path: string;
  /** Absolute path of the HTML report, when one was asked for. */
  html: string | undefined;
  record: RunRecord;
  execution: ExecuteResult;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Project root (the kernel's working directory). Default: the cwd. */
  root?: string;
  /** Parameters to inject. Default: none (the notebook's defaults). */
  parameters?: Parameters;
  /** Folder of run folders. Default: `<root>/data/runs`. */
  outDir?: string;
  /** Seconds a cell may run. Default: 60. */
  timeoutS?: number;
  /** Where start and end come from. Default: the system clock. */
  clock?: Clock;
  /**
   * Also write an HTML report beside the notebook (`<timestamp>.html`);
   * `noCode` leaves the code out. Default: none.
   */
  html?: { noCode?: boolean };
}

/** `2026-11-22T04:05:06.123Z` → `2026-11-22T04-05-06.123Z` (a file name). */
export function runTimestamp(at: Date): string {
  return at.toISOString().replaceAll(":", "-");
}

/**
 * Runs `notebook` (a path relative to the root) with `parameters` and saves
 * the executed copy with its run record. Reports a failing cell in the
 * result rather than throwing.
 * @throws {Error} when Jupyter is missing or the parameters do not fit the
 * notebook (no `parameters` cell, undeclared name).
 */
export async function runNotebook(
  notebook: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const root = resolveRoot(options.root);
  const {
    parameters = {},
    outDir = join(root, "data", "runs"),
    timeoutS = 60,
    clock = systemClock,
  } = options;
  // Parameters that do not fit the notebook fail before anything runs, and
  // without Jupyter: the check needs only the notebook.
  prepareForExecution(await readNotebook(join(root, notebook), notebook), {
    notebook,
    parameters,
  });
  const env = await detectJupyter();
  if (options.html && (!env.nbconvert || !env.python)) {
    throw new Error(
      `cannot write an HTML report: missing Jupyter's nbconvert; ${INSTALL_HINT}`,
    );
  }
  const start = clock.now();
  const execution = await executeNotebook(
    { notebook, parameters },
    { root, timeoutS, concurrency: 1 },
  );
  const end = clock.now();
  const error = execution.error;
  const record: RunRecord = {
    notebook,
    parameters,
    start: start.toISOString(),
    end: end.toISOString(),
    duration_s: (end.getTime() - start.getTime()) / 1000,
    error: error && {
      cell_id: error.cellId,
      cell_index: error.cellIndex,
      ename: error.ename,
      evalue: error.evalue,
    },
  };
  const executed = execution.executed ??
    await readNotebook(join(root, notebook), notebook);
  const sluice = executed.metadata["sluice"];
  executed.metadata["sluice"] = {
    ...(sluice && typeof sluice === "object" && !Array.isArray(sluice)
      ? sluice
      : {}),
    run: record as unknown as Json,
  };
  const dir = join(outDir, notebookStem(notebook));
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${runTimestamp(start)}.ipynb`);
  await Deno.writeTextFile(path, serializeNotebook(executed));
  let html: string | undefined;
  if (options.html && env.python) {
    const name = runTimestamp(start);
    await writeHtml(
      [{ notebook: executed, title: notebookTitle(executed, notebook), name }],
      dir,
      { python: env.python, noCode: options.html.noCode ?? false },
    );
    html = join(dir, `${name}.html`);
  }
  return { ok: execution.ok, path, html, record, execution };
}
