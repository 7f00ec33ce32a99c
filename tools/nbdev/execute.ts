/**
 * Executes notebooks headlessly through the real Deno kernel: Jupyter's
 * nbclient, driven by `_execute.py` (run with the Python that has it). Each
 * notebook gets a fresh kernel started in the notebook's folder, as Jupyter,
 * JupyterLab and VS Code start it (the notebook's first code cell enters the
 * project root: `@tools/nbdev/project_root.ts`). One Python
 * process runs a whole batch, up to `concurrency` kernels at a time.
 * @module
 */
import { dirname, join } from "node:path";
import {
  type Notebook,
  readNotebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
import { kernelName, prepareForExecution } from "@tools/nbdev/prepare.ts";
import { type Parameters } from "@tools/nbdev/parameters.ts";
import {
  detectJupyter,
  INSTALL_HINT,
  missingForExecution,
  pythonEnv,
} from "@tools/nbdev/jupyter.ts";
import { resolveRoot } from "@tools/nbdev/project.ts";

/**
 * Kernels run at once by default. A kernel spends most of its ~0.7-1 s start
 * waiting, so on 2 cores 3 at a time beat 2 (8 small notebooks: ~6.5 s
 * against ~9 s) without starving notebooks that compute.
 */
export const DEFAULT_CONCURRENCY = 3;

/** A notebook to execute. */
export interface ExecuteRequest {
  /** Notebook path relative to the root (`notebooks/03_transform.ipynb`). */
  notebook: string;
  /** Parameters to inject after the `parameters` cell. Default: none. */
  parameters?: Parameters;
}

/** The cell that failed and how. */
export interface CellFailure {
  /** Position of the cell in the executed notebook; null if no cell ran. */
  cellIndex: number | null;
  /** The cell id; null if no cell ran (the kernel did not start). */
  cellId: string | null;
  /** The error's name (`Error`, `CellTimeoutError`, `DenoTestFailure`). */
  ename: string;
  /** The error's message. */
  evalue: string;
  /** The traceback, colors stripped. */
  traceback: string;
}

/** How executing one notebook went. */
export interface ExecuteResult {
  notebook: string;
  ok: boolean;
  /** The first failing cell, or null. */
  error: CellFailure | null;
  /** The executed copy with its outputs (saved even when a cell failed). */
  executed: Notebook | undefined;
  /** Seconds until the kernel was ready. */
  startupS: number | null;
  /** Seconds for the whole notebook, kernel start included. */
  durationS: number | null;
  /** Seconds per executed cell. */
  cells: { index: number; id: string | null; durationS: number }[];
}

/** Options of {@link executeNotebooks}. */
export interface ExecuteOptions {
  /**
   * Project root, holding the notebooks. Default: the cwd. Each kernel
   * starts in its notebook's folder, as in Jupyter.
   */
  root?: string;
  /** Seconds a cell may run. Default: 60. */
  timeoutS?: number;
  /** Kernels running at once. Default: {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  /** Seconds a kernel may take to start. Default: 60. */
  startupTimeoutS?: number;
}

/** `notebooks/x.ipynb#cell-id (cell 3): Error: boom` and the traceback. */
export function describeFailure(result: ExecuteResult): string {
  const error = result.error;
  if (!error) return `${result.notebook}: ok`;
  const where = error.cellId === null
    ? result.notebook
    : `${result.notebook}#${error.cellId} (cell ${error.cellIndex})`;
  const traceback = error.traceback.trim();
  return `${where}: ${error.ename}: ${error.evalue}${
    traceback ? `\n${traceback.replace(/^/gm, "    ")}` : ""
  }`;
}

interface RawResult {
  index: number;
  ok: boolean;
  error: {
    cell_index: number | null;
    cell_id: string | null;
    ename: string;
    evalue: string;
    traceback: string;
  } | null;
  startup_s: number | null;
  duration_s: number | null;
  cells: { index: number; id: string | null; duration_s: number }[];
}

/**
 * Executes each requested notebook in a fresh kernel and reports every
 * result (it does not stop at a failing notebook).
 * @throws {Error} when Jupyter or the Deno kernelspec is missing (with how
 * to install them), or a notebook cannot be read.
 */
export async function executeNotebooks(
  requests: readonly ExecuteRequest[],
  options: ExecuteOptions = {},
): Promise<ExecuteResult[]> {
  const root = resolveRoot(options.root);
  const {
    timeoutS = 60,
    concurrency = DEFAULT_CONCURRENCY,
    startupTimeoutS = 60,
  } = options;
  if (requests.length === 0) return [];
  const env = await detectJupyter();
  const missing = missingForExecution(env);
  if (missing.length > 0 || !env.python) {
    throw new Error(
      `cannot execute notebooks: missing ${
        missing.join(", ")
      }; ${INSTALL_HINT}`,
    );
  }
  const tmp = await Deno.makeTempDir({ prefix: "sluice-nbexec-" });
  try {
    const jobs = [];
    for (const [index, request] of requests.entries()) {
      const nb = await readNotebook(
        join(root, request.notebook),
        request.notebook,
      );
      const prepared = prepareForExecution(nb, {
        notebook: request.notebook,
        ...(request.parameters ? { parameters: request.parameters } : {}),
      });
      const input = join(tmp, `${index}.in.ipynb`);
      await Deno.writeTextFile(input, serializeNotebook(prepared));
      jobs.push({
        input,
        output: join(tmp, `${index}.out.ipynb`),
        // Where Jupyter, JupyterLab and VS Code start a kernel: the
        // notebook's own folder (each notebook enters the root itself).
        cwd: dirname(join(root, request.notebook)),
        timeout: timeoutS,
        kernel: kernelName(nb),
      });
    }
    const child = new Deno.Command(env.python, {
      args: [join(import.meta.dirname!, "_execute.py")],
      cwd: root,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: pythonEnv(),
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify({
      jobs,
      concurrency,
      startup_timeout: startupTimeoutS,
    })));
    await writer.close();
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    const raws = new Map<number, RawResult>();
    for (const line of stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const raw = JSON.parse(line) as RawResult;
      raws.set(raw.index, raw);
    }
    const stderr = new TextDecoder().decode(out.stderr).trim();
    const results: ExecuteResult[] = [];
    for (const [index, request] of requests.entries()) {
      const raw = raws.get(index);
      let executed: Notebook | undefined;
      try {
        executed = await readNotebook(jobs[index]!.output, request.notebook);
      } catch {
        executed = undefined;
      }
      const error = raw
        ? raw.error && {
          cellIndex: raw.error.cell_index,
          cellId: raw.error.cell_id,
          ename: raw.error.ename,
          evalue: raw.error.evalue,
          traceback: raw.error.traceback,
        }
        : {
          cellIndex: null,
          cellId: null,
          ename: "ExecutorError",
          evalue:
            `the executor (${env.python} _execute.py) gave no result (exit ${out.code})`,
          traceback: stderr.split("\n").slice(-20).join("\n"),
        };
      results.push({
        notebook: request.notebook,
        ok: error === null,
        error,
        executed,
        startupS: raw?.startup_s ?? null,
        durationS: raw?.duration_s ?? null,
        cells: (raw?.cells ?? []).map((c) => ({
          index: c.index,
          id: c.id,
          durationS: c.duration_s,
        })),
      });
    }
    return results;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Executes one notebook; see {@link executeNotebooks}. */
export async function executeNotebook(
  request: ExecuteRequest,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const [result] = await executeNotebooks([request], options);
  return result!;
}
