/**
 * Readable cell ids for cells that lack one. The id is made from what the
 * cell is about (the name it declares, a markdown heading, its first words)
 * so markers like `// %% notebooks/03_transform.ipynb#resample-bars` read
 * well; once written to the notebook it stays, whatever the cell becomes.
 * @module
 */
import { type Cell, cellSource } from "@tools/nbdev/nbformat.ts";
import { findDirective, splitDirectives } from "@tools/nbdev/directives.ts";

/** The pattern nbformat 4.5 requires of a cell id. */
export const CELL_ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

const MAX_SLUG = 40;

/** `text` as a lowercase kebab-case slug: `validateBars` → `validate-bars`. */
export function slugify(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG)
    .replace(/-+$/g, "");
}

const DECLARATION =
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const|let|var)\s+([A-Za-z_$][\w$]*)/m;

/** A readable id for `cell`, before making it unique in its notebook. */
export function baseCellId(cell: Cell): string {
  const source = cellSource(cell);
  if (cell.cell_type === "markdown") {
    const heading = /^\s*#{1,6}\s+(.+)$/m.exec(source)?.[1];
    const firstLine = source.split("\n").find((line) => line.trim() !== "");
    return slugify(heading ?? firstLine ?? "") || "markdown";
  }
  if (cell.cell_type === "raw") return "raw";
  const tags = cell.metadata["tags"];
  if (Array.isArray(tags) && tags.includes("parameters")) return "parameters";
  const { directives, code } = splitDirectives(source);
  const declared = DECLARATION.exec(code)?.[1];
  if (declared) return slugify(declared) || "cell";
  const module = findDirective(directives, "default_exp");
  if (module) return slugify(`module ${module.value}`) || "module";
  const firstLine =
    code.split("\n").find((line) =>
      line.trim() !== "" && !/^\s*(\/\/|\/\*|\*)/.test(line)
    ) ?? "";
  const words = firstLine.match(/[A-Za-z][A-Za-z0-9]*/g)?.slice(0, 4) ?? [];
  return slugify(words.join(" ")) || "cell";
}

/**
 * Gives every cell without a valid, unique id a readable one (`-2`, `-3`
 * appended on clashes). Cells keep ids they already have; the later of two
 * cells sharing an id gets a new one. Returns the indexes of cells changed.
 */
export function assignCellIds(cells: Cell[]): number[] {
  const taken = new Set<string>();
  const needs: number[] = [];
  for (const [index, cell] of cells.entries()) {
    const id = cell.id;
    if (id !== undefined && CELL_ID_PATTERN.test(id) && !taken.has(id)) {
      taken.add(id);
    } else {
      needs.push(index);
    }
  }
  for (const index of needs) {
    const cell = cells[index]!;
    const base = baseCellId(cell);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    cell.id = id;
  }
  return needs;
}
