/**
 * Where a statement typed at the prompt ends: at a `;` outside quotes,
 * quoted identifiers and comments.
 * @module
 */

/**
 * Whether `text` ends a statement: its last character outside string
 * literals (`'...'`, `$$...$$`), quoted identifiers (`"..."`) and comments
 * (`-- ...`, `/* ... *\/`) that is not white space is a `;`.
 *
 * @example
 * ```ts
 * import { statementComplete } from "@pipeline/query/statements.ts";
 * statementComplete("select ';'"); // false
 * statementComplete("select 1; -- done"); // true
 * ```
 */
export function statementComplete(text: string): boolean {
  let last = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        const k = text.indexOf(c, j);
        if (k < 0) return false;
        if (text[k + 1] === c) j = k + 2; // a doubled quote
        else {
          i = k + 1;
          break;
        }
      }
      last = c;
    } else if (c === "$" && next === "$") {
      const end = text.indexOf("$$", i + 2);
      if (end < 0) return false;
      i = end + 2;
      last = "$";
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return last === ";";
}
