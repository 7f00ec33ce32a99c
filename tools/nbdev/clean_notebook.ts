/**
 * Clean notebooks diff well: no outputs, no execution counts, and only the
 * metadata that matters (notebook: `kernelspec`, `language_info.name` and
 * `.file_extension`; cell: its `id`, and `tags` in its metadata), written in
 * Jupyter's stable JSON layout. Cleaning is idempotent.
 * @module
 */
import { join } from "node:path";
import {
  type Cell,
  type Json,
  type Notebook,
  parseNotebook,
  serializeNotebook,
} from "@tools/nbdev/nbformat.ts";
import { assignCellIds } from "@tools/nbdev/ids.ts";
import { listNotebooks, resolveRoot } from "@tools/nbdev/project.ts";

const KERNELSPEC_KEYS = ["display_name", "language", "name"];
const LANGUAGE_INFO_KEYS = ["file_extension", "name"];

/** A cleaned notebook and what was unclean about it (empty when clean). */
export interface CleanResult {
  notebook: Notebook;
  issues: string[];
}

type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `object` with only `keys`; `dropped` lists the others. */
function pick(object: JsonObject, keys: readonly string[]) {
  const kept: JsonObject = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (keys.includes(key)) kept[key] = value;
    else dropped.push(key);
  }
  return { kept, dropped };
}

/** The cleaned copy of one cell, and its issues. */
function cleanCell(
  cell: Cell,
  label: string,
): { cell: Cell; issues: string[] } {
  const issues: string[] = [];
  const clean: Cell = {
    cell_type: cell.cell_type,
    id: cell.id!,
    metadata: {},
    source: cell.source,
  };
  const { tags, ...otherMetadata } = cell.metadata;
  const others = Object.keys(otherMetadata);
  if (others.length > 0) {
    issues.push(`${label} has metadata ${others.join(", ")}`);
  }
  if (Array.isArray(tags) && tags.length > 0) clean.metadata["tags"] = tags;
  else if (tags !== undefined) {
    issues.push(`${label} has empty or invalid tags`);
  }
  if (cell.cell_type === "code") {
    if ((cell.outputs ?? []).length > 0) {
      issues.push(`${label} has ${cell.outputs!.length} output(s)`);
    }
    if (cell.execution_count !== null && cell.execution_count !== undefined) {
      issues.push(`${label} has execution count ${cell.execution_count}`);
    }
    clean.outputs = [];
    clean.execution_count = null;
  } else {
    if (cell.outputs !== undefined || cell.execution_count !== undefined) {
      issues.push(
        `${label} (${cell.cell_type}) has outputs or an execution count`,
      );
    }
    // Attachments are content (pasted images), not noise: they stay.
    if (cell.attachments !== undefined) clean.attachments = cell.attachments;
  }
  return { cell: clean, issues };
}

/** `nb` cleaned (a copy), with a description of each thing that was unclean. */
export function cleanNotebook(nb: Notebook): CleanResult {
  const issues: string[] = [];
  const cells = nb.cells.map((cell) => ({ ...cell }));
  const hadIds = cells.map((cell) => cell.id);
  for (const index of assignCellIds(cells)) {
    issues.push(
      hadIds[index] === undefined
        ? `cell ${index} has no id (assigned "${cells[index]!.id}")`
        : `cell ${index} has an invalid or duplicate id "${
          hadIds[index]
        }" (assigned "${cells[index]!.id}")`,
    );
  }
  const metadata: JsonObject = {};
  const { kernelspec, language_info, ...otherMetadata } = nb.metadata;
  const others = Object.keys(otherMetadata);
  if (others.length > 0) {
    issues.push(`notebook metadata has ${others.join(", ")}`);
  }
  if (isObject(kernelspec)) {
    const { kept, dropped } = pick(kernelspec, KERNELSPEC_KEYS);
    metadata["kernelspec"] = kept;
    if (dropped.length > 0) issues.push(`kernelspec has ${dropped.join(", ")}`);
  }
  if (isObject(language_info)) {
    const { kept, dropped } = pick(language_info, LANGUAGE_INFO_KEYS);
    metadata["language_info"] = kept;
    if (dropped.length > 0) {
      issues.push(`language_info has ${dropped.join(", ")}`);
    }
  }
  const cleanCells = cells.map((cell, index) => {
    const label = `cell ${cell.id ?? index}`;
    const result = cleanCell(cell, label);
    issues.push(...result.issues);
    return result.cell;
  });
  let minor = nb.nbformat_minor;
  if (minor < 5) {
    issues.push(`nbformat 4.${minor}, not 4.5 (cell ids need 4.5)`);
    minor = 5;
  }
  return {
    notebook: {
      nbformat: 4,
      nbformat_minor: minor,
      metadata,
      cells: cleanCells,
    },
    issues,
  };
}

/** Cleaning one notebook file. */
export interface CleanFileReport {
  /** The notebook path relative to the root. */
  notebook: string;
  /** What was (check mode: is) unclean; empty when it was clean. */
  issues: string[];
  /** Whether the file was rewritten. */
  written: boolean;
}

/** The outcome of {@link cleanNotebooks}. */
export interface CleanReport {
  /** Check mode: whether every notebook is clean. Otherwise: true. */
  ok: boolean;
  notebooks: CleanFileReport[];
}

/** Options of {@link cleanNotebooks}. */
export interface CleanOptions {
  /** Project root holding notebooks/. Default: the cwd. */
  root?: string;
  /** Only report, never write. Default: false. */
  check?: boolean;
  /** Notebook paths relative to the root. Default: all notebooks/*.ipynb. */
  notebooks?: string[];
}

/** The issues of the notebook at `path` and its clean text. */
export async function cleanNotebookFile(
  path: string,
  name: string,
): Promise<{ text: string; clean: string; issues: string[] }> {
  const text = await Deno.readTextFile(path);
  const { notebook, issues } = cleanNotebook(parseNotebook(text, name));
  const clean = serializeNotebook(notebook);
  if (issues.length === 0 && clean !== text) {
    issues.push(
      "is not in Jupyter's stable JSON layout (sorted keys, 1-space indent, source as a list of lines, trailing newline)",
    );
  }
  return { text, clean, issues };
}

/**
 * Cleans the project's notebooks in place, or (check) reports unclean ones.
 * @throws {NotebookError} when a notebook is not valid nbformat 4 JSON.
 */
export async function cleanNotebooks(
  options: CleanOptions = {},
): Promise<CleanReport> {
  const root = resolveRoot(options.root);
  const { check = false, notebooks = listNotebooks(root) } = options;
  const reports: CleanFileReport[] = [];
  for (const notebook of notebooks) {
    const path = join(root, notebook);
    const { text, clean, issues } = await cleanNotebookFile(path, notebook);
    const written = !check && clean !== text;
    if (written) await Deno.writeTextFile(path, clean);
    reports.push({ notebook, issues, written });
  }
  const ok = !check || reports.every((r) => r.issues.length === 0);
  return { ok, notebooks: reports };
}
