/**
 * The project root as a notebook kernel's working directory.
 *
 * Jupyter, JupyterLab and VS Code start a notebook's kernel in the
 * notebook's own folder (`notebooks/`), while the notebooks read and write
 * paths relative to the project root (`data/samples/bars.csv`, `data/lake`)
 * and run `deno task ...` there, as the job does. The first code cell of
 * every notebook calls {@link enterProjectRoot}, so a notebook runs the same
 * whatever folder its kernel started in. Imports need nothing: Deno finds
 * the project's `deno.json` (and its `@pipeline/` alias) from any folder
 * below the root.
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project root: the folder holding `deno.json`, two levels above this file. */
export const PROJECT_ROOT: string = fileURLToPath(
  new URL("../../", import.meta.url),
).replace(/\/$/, "");

/** Makes {@link PROJECT_ROOT} the working directory and returns it. */
export function enterProjectRoot(): string {
  Deno.chdir(PROJECT_ROOT);
  return PROJECT_ROOT;
}
