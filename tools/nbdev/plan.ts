/**
 * What a notebook exports: its `//| default_exp` module and its `//| export`
 * cells in order (a cell may name another module: `//| export
 * datasets/eod/rules`), checked against the export rules (no `Deno.jupyter`, no
 * relative imports, one notebook per module, known directives only).
 * @module
 */
import { join } from "node:path";
import { NotebookError, type Problem } from "@tools/nbdev/errors.ts";
import {
  cellSource,
  type Notebook,
  readNotebook,
} from "@tools/nbdev/nbformat.ts";
import {
  type Directive,
  findDirective,
  KNOWN_DIRECTIVES,
  splitDirectives,
} from "@tools/nbdev/directives.ts";
import { CELL_ID_PATTERN } from "@tools/nbdev/ids.ts";
import { listNotebooks, MODULES_DIR } from "@tools/nbdev/project.ts";

/** One `//| export` cell. */
export interface ExportCell {
  /** The cell id, as written in the module's marker. */
  id: string;
  /** Position of the cell in the notebook. */
  index: number;
  /** The cell's directive lines. */
  directives: Directive[];
  /** The cell's code without its directive lines. */
  code: string;
}

/** A notebook and the module it exports. */
export interface ModulePlan {
  /** Notebook path relative to the root (`notebooks/03_transform.ipynb`). */
  notebook: string;
  /** Module path relative to the root (`pipeline/transform/bars.ts`). */
  module: string;
  /** The exported cells, in notebook order. */
  cells: ExportCell[];
}

/** The export plans of a project and whatever stops them. */
export interface ProjectPlan {
  plans: ModulePlan[];
  problems: Problem[];
  /** Every notebook read, by path relative to the root. */
  notebooks: Map<string, Notebook>;
}

const MODULE_NAME = /^[A-Za-z0-9_][\w-]*(\/[A-Za-z0-9_][\w-]*)*$/;
const RELATIVE_IMPORT = /\b(?:from|import)\s*\(?\s*(["'])\.\.?\//;
const DENO_JUPYTER = /\bDeno\s*\.\s*jupyter\b/;

/** `transform/bars` (or `transform/bars.ts`) → `pipeline/transform/bars.ts`. */
export function modulePath(name: string): string | undefined {
  const bare = name.replace(/\.ts$/, "");
  if (!MODULE_NAME.test(bare) || bare.startsWith("nbdev/")) return undefined;
  return `${MODULES_DIR}/${bare}.ts`;
}

/** Problems with the directives of one cell. */
function directiveProblems(
  directives: readonly Directive[],
  where: { notebook: string; cell: string },
): Problem[] {
  const problems: Problem[] = [];
  for (const directive of directives) {
    if (!(KNOWN_DIRECTIVES as readonly string[]).includes(directive.name)) {
      problems.push({
        ...where,
        message: `unknown directive "${directive.line.trim()}" (known: ${
          KNOWN_DIRECTIVES.join(", ")
        })`,
      });
    } else if (
      directive.name === "export" && directive.value !== "" &&
      modulePath(directive.value) === undefined
    ) {
      problems.push({
        ...where,
        message:
          `"//| export ${directive.value}" names no module like datasets/eod/rules (letters, digits, _ and - in /-separated parts, not under nbdev/)`,
      });
    }
  }
  return problems;
}

/**
 * The modules `nb` exports, in the order their first cell appears, and the
 * problems that stop the export. `notebook` is the notebook's path relative
 * to the root. A cell marked `//| export` goes into the `default_exp`
 * module; one marked `//| export datasets/eod/rules` into that module (a
 * notebook documenting several one-concept modules).
 */
export function planNotebook(
  nb: Notebook,
  notebook: string,
): { plans: ModulePlan[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const cells: (ExportCell & { module: string | undefined })[] = [];
  let module: { path: string; cell: string } | undefined;
  const seen = new Set<string>();
  for (const [index, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const { directives, code } = splitDirectives(cellSource(cell));
    if (directives.length === 0) continue;
    const id = cell.id;
    const name = id ?? `cell ${index}`;
    if (id === undefined || !CELL_ID_PATTERN.test(id) || seen.has(id)) {
      problems.push({
        notebook,
        message: `cell ${index} has ${
          id === undefined ? "no" : "an invalid or duplicate"
        } id: run \`deno task notebooks:clean\` to assign one`,
      });
    }
    if (id !== undefined) seen.add(id);
    problems.push(...directiveProblems(directives, { notebook, cell: name }));
    const target = findDirective(directives, "default_exp");
    if (target) {
      const path = modulePath(target.value);
      if (module) {
        problems.push({
          notebook,
          cell: name,
          message:
            `second "//| default_exp" (the first, in cell ${module.cell}, names ${module.path}): one module per notebook`,
        });
      } else if (path === undefined) {
        problems.push({
          notebook,
          cell: name,
          message:
            `"//| default_exp ${target.value}" is not a module name like transform/bars (letters, digits, _ and - in /-separated parts, not under nbdev/)`,
        });
      } else {
        module = { path, cell: name };
      }
    }
    const exported = findDirective(directives, "export");
    if (!exported) continue;
    if (DENO_JUPYTER.test(code)) {
      problems.push({
        notebook,
        cell: name,
        message:
          "exported cell uses Deno.jupyter: keep notebook display code in cells without //| export",
      });
    }
    const relative = RELATIVE_IMPORT.exec(code);
    if (relative) {
      problems.push({
        notebook,
        cell: name,
        message: `exported cell has a relative import (${
          relative[0].trim()
        }...): import project modules through the @pipeline/ alias`,
      });
    }
    cells.push({
      id: name,
      index,
      directives,
      code,
      module: exported.value === "" ? undefined : modulePath(exported.value),
    });
  }
  const unnamed = cells.filter((c) => c.module === undefined).length;
  if (!module && unnamed > 0) {
    problems.push({
      notebook,
      message:
        `has ${unnamed} "//| export" cell(s) but no "//| default_exp <module>" naming where they go`,
    });
  }
  const byModule = new Map<string, ExportCell[]>();
  if (module) byModule.set(module.path, []);
  for (const { module: named, ...cell } of cells) {
    const path = named ?? module?.path;
    if (path === undefined) continue;
    byModule.set(path, [...(byModule.get(path) ?? []), cell]);
  }
  const plans = [...byModule].map(([path, moduleCells]) => ({
    notebook,
    module: path,
    cells: moduleCells,
  }));
  return { plans, problems };
}

/**
 * Reads every notebook of the project at `root` and plans its export. Two
 * notebooks naming the same module is a problem for both.
 */
export async function planProject(root: string): Promise<ProjectPlan> {
  const plans: ModulePlan[] = [];
  const problems: Problem[] = [];
  const notebooks = new Map<string, Notebook>();
  for (const notebook of listNotebooks(root)) {
    let nb: Notebook;
    try {
      nb = await readNotebook(join(root, notebook), notebook);
    } catch (err) {
      const message = err instanceof NotebookError
        ? err.detail
        : `cannot be read: ${(err as Error).message}`;
      problems.push({ notebook, message });
      continue;
    }
    notebooks.set(notebook, nb);
    const planned = planNotebook(nb, notebook);
    problems.push(...planned.problems);
    plans.push(...planned.plans);
  }
  const byModule = new Map<string, string[]>();
  for (const plan of plans) {
    byModule.set(plan.module, [
      ...(byModule.get(plan.module) ?? []),
      plan.notebook,
    ]);
  }
  for (const [module, owners] of byModule) {
    if (owners.length < 2) continue;
    for (const notebook of owners) {
      problems.push({
        notebook,
        message: `exports ${module}, as do ${
          owners.filter((o) => o !== notebook).join(", ")
        }: one notebook per module`,
      });
    }
  }
  return { plans, problems, notebooks };
}
