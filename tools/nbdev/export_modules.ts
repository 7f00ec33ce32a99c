/**
 * Writes each notebook's `//| export` cells to the module its
 * `//| default_exp` names, or (check mode) reports modules that differ from
 * what their notebooks export, with a diff naming notebook and cell.
 * @module
 */
import { dirname, join } from "node:path";
import { formatProblem, type Problem } from "@tools/nbdev/errors.ts";
import { type ModulePlan, planProject } from "@tools/nbdev/plan.ts";
import {
  generatedFrom,
  moduleText,
  parseModule,
  sectionAt,
} from "@tools/nbdev/render.ts";
import { unifiedDiff } from "@tools/nbdev/diff.ts";
import { MODULES_DIR, resolveRoot } from "@tools/nbdev/project.ts";

/** What happened to one module. */
export interface ModuleReport {
  notebook: string;
  module: string;
  /**
   * `written` / `unchanged` (write mode), `same` / `differs` / `missing`
   * (check mode), or `failed` when the notebook cannot be exported.
   */
  status: "written" | "unchanged" | "same" | "differs" | "missing" | "failed";
  /** Check mode: the cells whose code differs (`header` for the preamble). */
  cells: string[];
}

/** The outcome of {@link exportNotebooks}; it reports, it does not throw. */
export interface ExportReport {
  /** Whether every module is (now) what its notebook exports. */
  ok: boolean;
  modules: ModuleReport[];
  problems: Problem[];
  /** Check mode: unified diffs, notebook export (old) vs module (new). */
  diff: string;
}

/** Options of {@link exportNotebooks}. */
export interface ExportOptions {
  /** Project root holding notebooks/ and pipeline/. Default: the cwd. */
  root?: string;
  /** Only compare, never write. Default: false. */
  check?: boolean;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Every .ts file under `dir`, relative to `root`. */
async function tsFiles(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(root, dir)));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await tsFiles(root, path));
    else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** The cells whose sections differ between two module texts. */
export function differingCells(expected: string, actual: string): string[] {
  const a = parseModule(expected);
  const b = parseModule(actual);
  const cells: string[] = [];
  const strip = (lines: string[]) => lines.join("\n").trim();
  if (strip(a.preamble) !== strip(b.preamble)) cells.push("header");
  const actualText = new Map(b.sections.map((s) => [s.cell, s.text]));
  for (const section of a.sections) {
    if (actualText.get(section.cell) !== section.text) cells.push(section.cell);
  }
  const expectedCells = new Set(a.sections.map((s) => s.cell));
  for (const section of b.sections) {
    if (!expectedCells.has(section.cell)) cells.push(section.cell);
  }
  if (cells.length === 0 && expected !== actual) {
    cells.push(...a.sections.map((s) => s.cell));
  }
  return [...new Set(cells)];
}

/** The check-mode diff of one module. */
function moduleDiff(plan: ModulePlan, expected: string, actual: string) {
  const parsed = parseModule(expected);
  return unifiedDiff(expected, actual, {
    oldLabel: `${plan.notebook} (exported)`,
    newLabel: plan.module,
    section: (oldIndex) => {
      const cell = sectionAt(parsed, oldIndex + 1)?.cell;
      return cell === undefined
        ? `${plan.notebook} header`
        : `${plan.notebook}#${cell}`;
    },
  });
}

/**
 * Exports every notebook of the project (or, with `check`, compares). Also
 * reports generated modules whose notebook no longer exports them.
 */
export async function exportNotebooks(
  options: ExportOptions = {},
): Promise<ExportReport> {
  const root = resolveRoot(options.root);
  const { check = false } = options;
  const project = await planProject(root);
  const problems = [...project.problems];
  const blocked = new Set(problems.map((p) => p.notebook));
  const modules: ModuleReport[] = [];
  const diffs: string[] = [];
  for (const plan of project.plans) {
    const report: ModuleReport = {
      notebook: plan.notebook,
      module: plan.module,
      status: "failed",
      cells: [],
    };
    modules.push(report);
    if (blocked.has(plan.notebook)) continue;
    const expected = await moduleText(plan, { root });
    if (!expected.ok) {
      problems.push({
        notebook: plan.notebook,
        cell: expected.cell,
        message: expected.message,
      });
      continue;
    }
    const path = join(root, plan.module);
    const actual = await readIfExists(path);
    if (check) {
      if (actual === expected.text) {
        report.status = "same";
        continue;
      }
      report.status = actual === undefined ? "missing" : "differs";
      report.cells = actual === undefined
        ? plan.cells.map((c) => c.id)
        : differingCells(expected.text, actual);
      diffs.push(moduleDiff(plan, expected.text, actual ?? ""));
      continue;
    }
    if (actual === expected.text) {
      report.status = "unchanged";
      continue;
    }
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, expected.text);
    report.status = "written";
  }
  const exported = new Map(project.plans.map((p) => [p.module, p.notebook]));
  for (const module of await tsFiles(root, MODULES_DIR)) {
    if (exported.has(module)) continue;
    const text = await Deno.readTextFile(join(root, module));
    const notebook = generatedFrom(text);
    if (notebook === undefined || blocked.has(notebook)) continue;
    problems.push({
      notebook,
      message:
        `${module} says it is generated from ${notebook}, which does not export it (any more): delete ${module}, or restore its //| default_exp`,
    });
  }
  const ok = problems.length === 0 &&
    modules.every((m) => ["written", "unchanged", "same"].includes(m.status));
  return { ok, modules, problems, diff: diffs.join("\n") };
}

/** The lines `deno task export` prints for a report. */
export function formatExportReport(report: ExportReport): string {
  const lines: string[] = [];
  for (const m of report.modules) {
    switch (m.status) {
      case "written":
        lines.push(`export: wrote ${m.module} from ${m.notebook}`);
        break;
      case "differs":
        lines.push(
          `export --check: ${m.module} differs from what ${m.notebook} exports (${
            m.cells.map((c) => `${m.notebook}#${c}`).join(", ")
          })`,
        );
        break;
      case "missing":
        lines.push(
          `export --check: ${m.module} is missing; ${m.notebook} exports it`,
        );
        break;
    }
  }
  for (const problem of report.problems) {
    lines.push(`export: ${formatProblem(problem)}`);
  }
  if (report.diff) {
    lines.push(
      "Run `deno task export` to rewrite modules from their notebooks, or " +
        "`deno task export --update` to carry module edits back into the notebooks.",
      "",
      report.diff,
    );
  }
  return lines.join("\n");
}
