/**
 * The copy of a notebook the executor runs: outputs cleared, `//| eval:
 * false` cells replaced by a comment (their code commented out below it),
 * parameters injected.
 * @module
 */
import { type Cell, cellSource, type Notebook } from "@tools/nbdev/nbformat.ts";
import { isEvalFalse, splitDirectives } from "@tools/nbdev/directives.ts";
import { injectParameters, type Parameters } from "@tools/nbdev/parameters.ts";
import { DENO_KERNEL } from "@tools/nbdev/jupyter.ts";

/** The first line of a cell the executor skipped. */
export const SKIPPED_COMMENT = "// Not executed (eval: false). Its code:";

/** Options of {@link prepareForExecution}. */
export interface PrepareOptions {
  /** Notebook path relative to the root, for errors. */
  notebook: string;
  /** Parameters to inject after the `parameters` cell. Default: none. */
  parameters?: Parameters;
}

/** The cell with its source replaced if it is `//| eval: false`. */
function skipIfEvalFalse(cell: Cell): Cell {
  if (cell.cell_type !== "code") return cell;
  const { directives, code } = splitDirectives(cellSource(cell));
  if (!isEvalFalse(directives)) return cell;
  const commented = code.split("\n").map((line) => `// ${line}`.trimEnd());
  return {
    ...cell,
    source: [...directives.map((d) => d.line), SKIPPED_COMMENT, ...commented]
      .join("\n"),
  };
}

/** The copy of `nb` to execute. */
export function prepareForExecution(
  nb: Notebook,
  options: PrepareOptions,
): Notebook {
  const { notebook, parameters = {} } = options;
  const cells = nb.cells.map((cell) => {
    const copy: Cell = structuredClone(cell);
    if (copy.cell_type === "code") {
      copy.outputs = [];
      copy.execution_count = null;
    }
    return skipIfEvalFalse(copy);
  });
  let prepared: Notebook = { ...structuredClone(nb), cells };
  if (Object.keys(parameters).length > 0) {
    prepared = injectParameters(prepared, parameters, notebook);
  }
  return prepared;
}

/** The kernel a notebook asks for (its kernelspec name), or `deno`. */
export function kernelName(nb: Notebook): string {
  const spec = nb.metadata["kernelspec"];
  if (spec && typeof spec === "object" && !Array.isArray(spec)) {
    const name = spec["name"];
    if (typeof name === "string" && name) return name;
  }
  return DENO_KERNEL;
}
