/**
 * Cell directives, written nbdev-style as the leading `//|` comment lines of
 * a code cell:
 *
 * - `//| default_exp transform/bars`: the notebook exports to
 *   `pipeline/transform/bars.ts` (once per notebook).
 * - `//| export`: the cell goes into that module; `//| export
 *   datasets/eod/rules`: into `pipeline/datasets/eod/rules.ts` instead (a
 *   notebook documenting several one-concept modules).
 * - `//| eval: false`: the executor does not run the cell.
 *
 * Only the leading block of `//|` lines counts; a `//|` line further down is
 * an ordinary comment.
 * @module
 */

/** The directives the tooling knows. */
export const KNOWN_DIRECTIVES = ["default_exp", "export", "eval"] as const;

/** One `//| name value` or `//| name: value` line. */
export interface Directive {
  /** The directive name (`export`, `default_exp`, `eval`). */
  name: string;
  /** What follows the name (and an optional colon), trimmed; may be empty. */
  value: string;
  /** The line as written, without its newline. */
  line: string;
}

/** A code cell's source split into its directives and the code after them. */
export interface SplitSource {
  directives: Directive[];
  /** The source after the directive lines. */
  code: string;
}

const DIRECTIVE_LINE = /^\s*\/\/\|/;

/** Splits `source` into its leading directive lines and the rest. */
export function splitDirectives(source: string): SplitSource {
  const lines = source.split("\n");
  const directives: Directive[] = [];
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, "");
    if (!DIRECTIVE_LINE.test(line)) break;
    const body = line.replace(DIRECTIVE_LINE, "").trim();
    const match = /^([A-Za-z_][\w-]*)\s*:?\s*(.*)$/.exec(body);
    directives.push({
      name: match?.[1] ?? body,
      value: (match?.[2] ?? "").trim(),
      line,
    });
  }
  return { directives, code: lines.slice(index).join("\n") };
}

/** The directive called `name`, if the cell has it. */
export function findDirective(
  directives: readonly Directive[],
  name: string,
): Directive | undefined {
  return directives.find((directive) => directive.name === name);
}

/** Whether the cell opts out of execution with `//| eval: false`. */
export function isEvalFalse(directives: readonly Directive[]): boolean {
  return findDirective(directives, "eval")?.value.toLowerCase() === "false";
}
