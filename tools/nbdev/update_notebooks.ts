/**
 * The way back (`deno task export --update`): edits made in an exported
 * module are carried into the notebook cells its markers name, keeping each
 * cell's directive lines, then the modules are re-exported so
 * `export --check` passes.
 * @module
 */
import { join } from "node:path";
import { formatProblem, type Problem } from "@tools/nbdev/errors.ts";
import {
  cellSource,
  type Notebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
import { type ModulePlan, planProject } from "@tools/nbdev/plan.ts";
import {
  moduleHeader,
  moduleText,
  parseModule,
  sectionAt,
} from "@tools/nbdev/render.ts";
import { formatTypeScript } from "@tools/nbdev/fmt.ts";
import {
  exportNotebooks,
  type ExportReport,
  formatExportReport,
} from "@tools/nbdev/export_modules.ts";
import { resolveRoot } from "@tools/nbdev/project.ts";

/** The outcome of {@link updateNotebooks}; it reports, it does not throw. */
export interface UpdateReport {
  /** Whether every module's edits were carried back and the export matches. */
  ok: boolean;
  /** The notebooks rewritten and the ids of the cells that changed. */
  updated: { notebook: string; cells: string[] }[];
  problems: Problem[];
  /** The re-export after the update (absent when nothing could be done). */
  exported: ExportReport | undefined;
}

/** Options of {@link updateNotebooks}. */
export interface UpdateOptions {
  /** Project root holding notebooks/ and pipeline/. Default: the cwd. */
  root?: string;
}

/** The code of each cell of `plan` in the module text on disk, by cell id. */
async function cellsFromModule(
  plan: ModulePlan,
  text: string,
  root: string,
): Promise<{ sources: Map<string, string>; problems: Problem[] }> {
  const sources = new Map<string, string>();
  const problem = (message: string, cell?: string): Problem => ({
    notebook: plan.notebook,
    cell,
    message: `${plan.module}: ${message}`,
  });
  const formatted = await formatTypeScript(text, { cwd: root });
  if (!formatted.ok) {
    const cell = formatted.line === undefined
      ? undefined
      : sectionAt(parseModule(text), formatted.line)?.cell;
    return {
      sources,
      problems: [problem(`does not parse: ${formatted.error}`, cell)],
    };
  }
  const parsed = parseModule(formatted.text);
  const header = moduleHeader(plan.notebook);
  const extra = parsed.preamble.filter((line) =>
    line.trim() !== "" && line !== header
  );
  if (extra.length > 0) {
    return {
      sources,
      problems: [problem(
        `has code before its first cell marker, which belongs to no cell ("${
          extra[0]!.trim()
        }"): move it below a marker`,
      )],
    };
  }
  const problems: Problem[] = [];
  const expected = plan.cells.map((c) => c.id);
  const byId = new Map(plan.cells.map((c) => [c.id, c]));
  for (const section of parsed.sections) {
    const cell = byId.get(section.cell);
    if (section.notebook !== plan.notebook) {
      problems.push(problem(
        `line ${section.line} marks a cell of ${section.notebook}, not of ${plan.notebook}`,
        section.cell,
      ));
    } else if (!cell) {
      problems.push(problem(
        `line ${section.line} marks cell ${section.cell}, which is not an exported cell of ${plan.notebook}: add the cell to the notebook instead`,
        section.cell,
      ));
    } else if (sources.has(cell.id)) {
      problems.push(problem(`marks cell ${cell.id} twice`, cell.id));
    } else {
      sources.set(cell.id, section.text);
    }
  }
  for (const id of expected) {
    if (!sources.has(id) && problems.length === 0) {
      problems.push(problem(
        `has no section for exported cell ${id}: delete the cell in the notebook instead of in the module`,
        id,
      ));
    }
  }
  const order = parsed.sections.map((s) => s.cell).filter((id) => byId.has(id));
  if (problems.length === 0 && order.join() !== expected.join()) {
    problems.push(problem(
      `has its cells in another order (${
        order.join(", ")
      }) than the notebook (${
        expected.join(", ")
      }): reorder the cells in the notebook`,
    ));
  }
  return { sources, problems };
}

/**
 * Carries edits made in exported modules back into their notebooks, then
 * re-exports. Cells change only where the module's section differs.
 */
export async function updateNotebooks(
  options: UpdateOptions = {},
): Promise<UpdateReport> {
  const root = resolveRoot(options.root);
  const project = await planProject(root);
  const problems = [...project.problems];
  const blocked = new Set(problems.map((p) => p.notebook));
  const updated: UpdateReport["updated"] = [];
  for (const plan of project.plans) {
    if (blocked.has(plan.notebook)) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(join(root, plan.module));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // nothing to carry back
      throw err;
    }
    const found = await cellsFromModule(plan, text, root);
    if (found.problems.length > 0) {
      problems.push(...found.problems);
      continue;
    }
    // Only cells whose section differs from what the notebook exports now
    // change, so untouched cells keep their source as written.
    const current = await moduleText(plan, { root });
    const exportedNow = new Map(
      current.ok
        ? parseModule(current.text).sections.map((s) => [s.cell, s.text])
        : [],
    );
    const nb = project.notebooks.get(plan.notebook) as Notebook;
    const changed: string[] = [];
    for (const cell of plan.cells) {
      const code = found.sources.get(cell.id)!;
      if (exportedNow.get(cell.id) === code) continue;
      const target = nb.cells[cell.index]!;
      const directives = cell.directives.map((d) => d.line);
      const source = [...directives, ...(code === "" ? [] : [code])].join("\n");
      if (cellSource(target) === source) continue;
      target.source = source;
      changed.push(cell.id);
    }
    if (changed.length === 0) continue;
    await Deno.writeTextFile(
      join(root, plan.notebook),
      serializeNotebook(nb),
    );
    updated.push({ notebook: plan.notebook, cells: changed });
  }
  if (problems.length > 0) {
    return { ok: false, updated, problems, exported: undefined };
  }
  await exportNotebooks({ root });
  const exported = await exportNotebooks({ root, check: true });
  return { ok: exported.ok, updated, problems, exported };
}

/** The lines `deno task export --update` prints for a report. */
export function formatUpdateReport(report: UpdateReport): string {
  const lines = report.updated.map((u) =>
    `export --update: ${u.notebook}: updated ${
      u.cells.map((c) => `#${c}`).join(", ")
    }`
  );
  for (const problem of report.problems) {
    lines.push(`export --update: ${formatProblem(problem)}`);
  }
  if (report.exported && !report.exported.ok) {
    lines.push(formatExportReport(report.exported));
  }
  if (report.ok && report.updated.length === 0) {
    lines.push("export --update: notebooks already match their modules");
  }
  return lines.join("\n");
}
