/**
 * Temporary Sluice projects for the nbdev tests: a folder with its own
 * deno.json (the `@pipeline/` alias pointing at its own pipeline/, plus the
 * repo's npm pins), notebooks/ and pipeline/, and builders for tiny
 * notebooks.
 * @module
 */
import { dirname, join } from "node:path";
import {
  type Cell,
  type Notebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";

/** The repository root (where the real deno.json lives). */
export const REPO_ROOT = join(import.meta.dirname!, "..", "..", "..");

/** A code cell with `id` and `source` (and optional tags). */
export function code(id: string, source: string, tags?: string[]): Cell {
  return {
    cell_type: "code",
    id,
    metadata: tags ? { tags } : {},
    source,
    outputs: [],
    execution_count: null,
  };
}

/** A markdown cell. */
export function markdown(id: string, source: string): Cell {
  return { cell_type: "markdown", id, metadata: {}, source };
}

/** A clean nbformat 4.5 notebook for the Deno kernel. */
export function notebook(cells: Cell[]): Notebook {
  return {
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
    cells,
  };
}

/** A temporary project; remove it with `dispose()`. */
export interface TempProject {
  root: string;
  /** Writes `nb` to `notebooks/<name>` (name like `01_demo.ipynb`). */
  writeNotebook(name: string, nb: Notebook): Promise<string>;
  /** Writes a text file at `path` relative to the root. */
  write(path: string, text: string): Promise<void>;
  /** Reads a text file at `path` relative to the root. */
  read(path: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Creates a temporary project with its own deno.json. */
export async function tempProject(): Promise<TempProject> {
  const root = await Deno.makeTempDir({ prefix: "sluice-nbdev-test-" });
  const repo = JSON.parse(
    await Deno.readTextFile(join(REPO_ROOT, "deno.json")),
  ) as { imports: Record<string, string> };
  const config = {
    lock: false,
    imports: { ...repo.imports, "@pipeline/": "./pipeline/" },
  };
  await Deno.writeTextFile(
    join(root, "deno.json"),
    JSON.stringify(config, null, 2) + "\n",
  );
  await Deno.mkdir(join(root, "notebooks"));
  await Deno.mkdir(join(root, "pipeline"));
  const project: TempProject = {
    root,
    async writeNotebook(name, nb) {
      const path = `notebooks/${name}`;
      await Deno.writeTextFile(join(root, path), serializeNotebook(nb));
      return path;
    },
    async write(path, text) {
      await Deno.mkdir(dirname(join(root, path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    },
    read: (path) => Deno.readTextFile(join(root, path)),
    dispose: () => Deno.remove(root, { recursive: true }),
  };
  return project;
}
