/**
 * The part of nbformat 4.5 the tooling reads and writes, and Jupyter's own
 * stable JSON layout (sorted keys, one-space indent, trailing newline, cell
 * source as a list of lines) so a notebook written here diffs cleanly.
 * @module
 */
import { NotebookError } from "@tools/nbdev/errors.ts";

/** Any JSON value kept as it is (outputs, metadata we do not interpret). */
export type Json =
  | string
  | number
  | boolean
  | null
  | Json[]
  | { [key: string]: Json };

/** Multi-line text as nbformat stores it: one string or a list of lines. */
export type MultilineString = string | string[];

/** A cell of an nbformat 4 notebook. */
export interface Cell {
  /** The cell id (nbformat 4.5); the clean tool assigns one when missing. */
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: MultilineString;
  metadata: { [key: string]: Json };
  /** Code cells only. */
  outputs?: Json[];
  /** Code cells only. */
  execution_count?: number | null;
  /** Markdown and raw cells: files pasted into the cell. */
  attachments?: Json;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: { [key: string]: Json };
  cells: Cell[];
}

/** The text of a multi-line field. */
export function joinLines(text: MultilineString | undefined): string {
  if (text === undefined) return "";
  return typeof text === "string" ? text : text.join("");
}

/** The source text of a cell. */
export function cellSource(cell: Cell): string {
  return joinLines(cell.source);
}

/** Line breaks as Python's `str.splitlines` knows them (nbformat uses it). */
const LINE =
  // deno-lint-ignore no-control-regex
  /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])?/g;

/**
 * `text` split as Jupyter stores it (Python's `splitlines(keepends=True)`):
 * every line keeps its line break, the last one may have none.
 */
export function splitLines(text: string): string[] {
  return (text.match(LINE) ?? []).filter((line) => line !== "");
}

/**
 * Parses notebook JSON; `path` names the notebook in errors.
 * @throws {NotebookError} when the text is not an nbformat 4 notebook.
 */
export function parseNotebook(text: string, path: string): Notebook {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new NotebookError({
      notebook: path,
      message: `is not valid JSON: ${(err as Error).message}`,
    }, { cause: err });
  }
  const nb = data as Partial<Notebook> | null;
  if (
    nb === null || typeof nb !== "object" || nb.nbformat !== 4 ||
    !Array.isArray(nb.cells)
  ) {
    throw new NotebookError({
      notebook: path,
      message: "is not an nbformat 4 notebook (needs nbformat: 4 and cells)",
    });
  }
  nb.metadata ??= {};
  nb.nbformat_minor ??= 0;
  for (const [index, cell] of nb.cells.entries()) {
    if (
      cell === null || typeof cell !== "object" ||
      !["code", "markdown", "raw"].includes(cell.cell_type)
    ) {
      throw new NotebookError({
        notebook: path,
        message: `cell ${index} is not a code, markdown or raw cell`,
      });
    }
    cell.source ??= "";
    cell.metadata ??= {};
  }
  return nb as Notebook;
}

/** Reads and parses the notebook at `path` (`name` is used in errors). */
export async function readNotebook(
  path: string,
  name: string = path,
): Promise<Notebook> {
  return parseNotebook(await Deno.readTextFile(path), name);
}

/** `value` with object keys sorted at every level, as Jupyter writes JSON. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = sortKeys(item);
  }
  return out;
}

/**
 * The notebook as Jupyter writes it: sorted keys, one-space indent, a
 * trailing newline, and every cell source as a list of lines.
 */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((cell) => ({
    ...cell,
    source: splitLines(cellSource(cell)),
  }));
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + "\n";
}

/** Writes `nb` in the stable layout of {@link serializeNotebook}. */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await Deno.writeTextFile(path, serializeNotebook(nb));
}
