/**
 * Where things live in a Sluice project: notebooks in `notebooks/`, exported
 * modules in `pipeline/`, run records in `data/runs/`, docs in `data/docs/`.
 * Every tool takes a `root` so tests can point it at a temporary project.
 * @module
 */
import { join, relative, resolve, sep } from "node:path";

/** The folder holding the notebooks, relative to the root. */
export const NOTEBOOKS_DIR = "notebooks";
/** The folder exported modules are written under, relative to the root. */
export const MODULES_DIR = "pipeline";

/** `root` made absolute; the current directory when not given. */
export function resolveRoot(root?: string): string {
  return resolve(root ?? Deno.cwd());
}

/** `path` relative to `root`, with forward slashes (as written in markers). */
export function projectPath(root: string, path: string): string {
  return relative(root, resolve(root, path)).split(sep).join("/");
}

/**
 * The notebooks of the project: `notebooks/*.ipynb` (not recursive), sorted,
 * as paths relative to `root`. An absent folder yields none.
 */
export function listNotebooks(root: string): string[] {
  const dir = join(root, NOTEBOOKS_DIR);
  const names: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(entry.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return names.sort().map((name) => `${NOTEBOOKS_DIR}/${name}`);
}

/** The stem of a notebook path: `notebooks/03_transform.ipynb` → `03_transform`. */
export function notebookStem(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return name.replace(/\.ipynb$/, "");
}
