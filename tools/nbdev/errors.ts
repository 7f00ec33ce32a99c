/**
 * Problems the notebook tooling reports, each naming the notebook and, where
 * there is one, the cell (`notebooks/03_transform.ipynb#bars-frame: ...`).
 * @module
 */

/** One thing wrong with a notebook or a module, reported rather than thrown. */
export interface Problem {
  /** Path of the notebook (or module) relative to the project root. */
  notebook: string;
  /** The cell id, when the problem is in one cell. */
  cell?: string | undefined;
  /** What is wrong, and what to do about it where that is known. */
  message: string;
}

/** `notebooks/x.ipynb#cell: message`, or `notebooks/x.ipynb: message`. */
export function formatProblem(problem: Problem): string {
  const where = problem.cell === undefined
    ? problem.notebook
    : `${problem.notebook}#${problem.cell}`;
  return `${where}: ${problem.message}`;
}

/** A failure of the notebook tooling that names the notebook and cell. */
export class NotebookError extends Error {
  readonly notebook: string;
  readonly cell: string | undefined;
  /** The message without the notebook and cell in front. */
  readonly detail: string;

  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(formatProblem(problem), options);
    this.name = "NotebookError";
    this.notebook = problem.notebook;
    this.cell = problem.cell;
    this.detail = problem.message;
  }
}
