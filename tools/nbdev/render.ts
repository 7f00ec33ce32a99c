/**
 * The text of an exported module and its way back: a generated header, then
 * each exported cell after a marker comment naming its notebook and cell id,
 *
 * ```ts
 * // AUTO-GENERATED from notebooks/03_transform.ipynb by `deno task export`. Edit the notebook, not this file.
 *
 * // %% notebooks/03_transform.ipynb#resample-bars
 * export function resampleBars(...) { ... }
 * ```
 *
 * formatted by `deno fmt`. {@link parseModule} splits a module back into
 * its cell sections by those markers.
 * @module
 */
import { type ModulePlan } from "@tools/nbdev/plan.ts";
import { formatTypeScript } from "@tools/nbdev/fmt.ts";

/** The first line of every exported module. */
export function moduleHeader(notebook: string): string {
  return `// AUTO-GENERATED from ${notebook} by \`deno task export\`. Edit the notebook, not this file.`;
}

/** The marker comment that precedes the code of one exported cell. */
export function cellMarker(notebook: string, cell: string): string {
  return `// %% ${notebook}#${cell}`;
}

const HEADER = /^\/\/ AUTO-GENERATED from (\S+\.ipynb) by `deno task export`\./;
const MARKER = /^\/\/ %% (\S+\.ipynb)#([A-Za-z0-9_-]+)\s*$/;

/** The notebook named by a module's generated header, if it has one. */
export function generatedFrom(text: string): string | undefined {
  return HEADER.exec(text.split("\n", 1)[0] ?? "")?.[1];
}

/** The module text of `plan` before formatting. */
export function renderModule(plan: ModulePlan): string {
  const parts = [moduleHeader(plan.notebook), ""];
  for (const cell of plan.cells) {
    parts.push(cellMarker(plan.notebook, cell.id), cell.code.trim(), "");
  }
  return parts.join("\n");
}

/** The code of one cell in a module. */
export interface ModuleSection {
  notebook: string;
  cell: string;
  /** The section's text between its marker and the next, trimmed. */
  text: string;
  /** 1-based line of the marker. */
  line: number;
}

/** A module split by its cell markers. */
export interface ParsedModule {
  /** The lines before the first marker. */
  preamble: string[];
  sections: ModuleSection[];
}

/** Splits module text into the sections after each cell marker. */
export function parseModule(text: string): ParsedModule {
  const preamble: string[] = [];
  const markers: { notebook: string; cell: string; line: number }[] = [];
  const bodies: string[][] = [];
  let body = preamble;
  for (const [index, line] of text.split("\n").entries()) {
    const marker = MARKER.exec(line);
    if (!marker) {
      body.push(line);
      continue;
    }
    markers.push({ notebook: marker[1]!, cell: marker[2]!, line: index + 1 });
    body = [];
    bodies.push(body);
  }
  const sections = markers.map((marker, i) => ({
    ...marker,
    text: bodies[i]!.join("\n").replace(/^(\s*\n)+/, "").trimEnd(),
  }));
  return { preamble, sections };
}

/** The section whose marker is at or before 1-based `line`. */
export function sectionAt(
  parsed: ParsedModule,
  line: number,
): ModuleSection | undefined {
  let found: ModuleSection | undefined;
  for (const section of parsed.sections) {
    if (section.line <= line) found = section;
  }
  return found;
}

/** The formatted module text, or the problem `deno fmt` found. */
export type ModuleText =
  | { ok: true; text: string }
  | { ok: false; cell: string | undefined; message: string };

/**
 * The module `plan` exports, formatted by `deno fmt` with the settings of
 * the project at `root`. A syntax error is traced to its cell.
 */
export async function moduleText(
  plan: ModulePlan,
  options: { root: string },
): Promise<ModuleText> {
  const raw = renderModule(plan);
  const formatted = await formatTypeScript(raw, { cwd: options.root });
  if (formatted.ok) return formatted;
  const section = formatted.line === undefined
    ? undefined
    : sectionAt(parseModule(raw), formatted.line);
  return {
    ok: false,
    cell: section?.cell,
    message: `the exported code does not parse: ${formatted.error}`,
  };
}
