/**
 * Papermill-style parameters. A notebook tags one code cell `parameters`
 * (cell metadata tags) and declares its defaults there, one per line:
 *
 * ```ts
 * let symbol = "AAPL";
 * let days = 5;
 * ```
 *
 * A run injects a cell tagged `injected-parameters` right after it that
 * re-declares each given parameter with the same keyword. The Deno kernel
 * evaluates cells in V8's REPL mode, where re-declaring a `let` or `const`
 * in a later cell rebinds it (even for functions defined earlier), but
 * re-declaring with a different keyword (`let` then `const`) is an error,
 * hence "same keyword". `let` is the convention.
 * @module
 */
import { type Cell, cellSource, type Notebook } from "@tools/nbdev/nbformat.ts";
import { NotebookError } from "@tools/nbdev/errors.ts";

/** A parameter value: numbers stay numbers, `true`/`false` are booleans. */
export type ParameterValue = string | number | boolean;

/** Parameters by name. */
export type Parameters = Record<string, ParameterValue>;

/** The tag of the cell declaring a notebook's parameters. */
export const PARAMETERS_TAG = "parameters";
/** The tag of the cell a run injects after it. */
export const INJECTED_TAG = "injected-parameters";

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const NAME = /^[A-Za-z_$][\w$]*$/;
const DECLARATION = /^\s*(let|const|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=/;

/** `"5"` → 5, `"true"` → true, `"AAPL"` → "AAPL". */
export function parameterValue(text: string): ParameterValue {
  if (text === "true") return true;
  if (text === "false") return false;
  if (NUMBER.test(text) && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/**
 * Parses `-p` arguments (`symbol=AAPL`, `days=5`).
 * @throws {Error} when one is not `name=value` with a valid name.
 */
export function parseParameters(args: readonly string[]): Parameters {
  const parameters: Parameters = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (eq < 0 || !NAME.test(name)) {
      throw new Error(
        `parameter "${arg}" is not name=value with a JavaScript identifier as name`,
      );
    }
    parameters[name] = parameterValue(arg.slice(eq + 1));
  }
  return parameters;
}

function hasTag(cell: Cell, tag: string): boolean {
  const tags = cell.metadata["tags"];
  return Array.isArray(tags) && tags.includes(tag);
}

/** The declarations of a parameters cell: name → `let` / `const` / `var`. */
export function declaredParameters(source: string): Map<string, string> {
  const declared = new Map<string, string>();
  for (const line of source.split("\n")) {
    const match = DECLARATION.exec(line);
    if (match) declared.set(match[2]!, match[1]!);
  }
  return declared;
}

/**
 * `nb` with an `injected-parameters` cell after its `parameters` cell
 * (replacing one injected before). `notebook` names the notebook in errors.
 * @throws {NotebookError} when the notebook has no parameters cell, or a
 * parameter is not declared in it.
 */
export function injectParameters(
  nb: Notebook,
  parameters: Parameters,
  notebook: string,
): Notebook {
  const cells = nb.cells.filter((cell) => !hasTag(cell, INJECTED_TAG));
  const at = cells.findIndex((cell) =>
    cell.cell_type === "code" && hasTag(cell, PARAMETERS_TAG)
  );
  if (at < 0) {
    throw new NotebookError({
      notebook,
      message:
        `has no code cell tagged "${PARAMETERS_TAG}" to take parameters ${
          Object.keys(parameters).join(", ")
        }: tag the cell that declares them`,
    });
  }
  const declaring = cells[at]!;
  const declared = declaredParameters(cellSource(declaring));
  const unknown = Object.keys(parameters).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new NotebookError({
      notebook,
      cell: declaring.id,
      message: `unknown parameter(s) ${
        unknown.join(", ")
      }; the parameters cell declares ${
        [...declared.keys()].join(", ") ||
        "nothing (one `let name = value;` per line)"
      }`,
    });
  }
  const lines = Object.entries(parameters).map(([name, value]) =>
    `${declared.get(name)} ${name} = ${JSON.stringify(value)};`
  );
  const injected: Cell = {
    cell_type: "code",
    id: INJECTED_TAG,
    metadata: { tags: [INJECTED_TAG] },
    source: ["// Parameters injected by `deno task notebook run`", ...lines]
      .join("\n"),
    outputs: [],
    execution_count: null,
  };
  return {
    ...nb,
    cells: [...cells.slice(0, at + 1), injected, ...cells.slice(at + 1)],
  };
}
