/**
 * A small line diff printed in unified format, for `export --check`.
 * @module
 */

/** One line of an edit script. */
interface Edit {
  op: " " | "-" | "+";
  line: string;
  /** 0-based line in the old text (for " " and "-") or new text ("+"). */
  oldIndex: number;
  newIndex: number;
}

/** Beyond this many cells the LCS table is skipped (replace the middle). */
const MAX_TABLE = 4_000_000;

/** The edit script turning `a` into `b` (common prefix/suffix, then LCS). */
function editScript(a: string[], b: string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) {
    edits.push({ op: " ", line: a[i]!, oldIndex: i, newIndex: i });
  }
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_TABLE) {
    for (let i = start; i < endA; i++) {
      edits.push({ op: "-", line: a[i]!, oldIndex: i, newIndex: start });
    }
    for (let j = start; j < endB; j++) {
      edits.push({ op: "+", line: b[j]!, oldIndex: endA, newIndex: j });
    }
  } else {
    // lcs[i][j]: LCS length of a[start+i..endA) and b[start+j..endB).
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      const ai = start + i;
      const bj = start + j;
      if (i < n && j < m && a[ai] === b[bj]) {
        edits.push({ op: " ", line: a[ai]!, oldIndex: ai, newIndex: bj });
        i++;
        j++;
      } else if (
        i < n &&
        (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)
      ) {
        edits.push({ op: "-", line: a[ai]!, oldIndex: ai, newIndex: bj });
        i++;
      } else {
        edits.push({ op: "+", line: b[bj]!, oldIndex: ai, newIndex: bj });
        j++;
      }
    }
  }
  for (let i = endA; i < a.length; i++) {
    const j = i - endA + endB;
    edits.push({ op: " ", line: a[i]!, oldIndex: i, newIndex: j });
  }
  return edits;
}

/** The lines of `text`; a final newline ends the last line. */
function lines(text: string): string[] {
  if (text === "") return [];
  const all = text.split("\n");
  if (text.endsWith("\n")) all.pop();
  return all;
}

/** Options of {@link unifiedDiff}. */
export interface DiffOptions {
  /** Label of the old text (`--- label`). */
  oldLabel: string;
  /** Label of the new text (`+++ label`). */
  newLabel: string;
  /** Unchanged lines shown around each change. Default: 3. */
  context?: number;
  /**
   * Names the part of the old text a hunk starts in (given its 0-based
   * first changed line); printed after the `@@ ... @@` like git's function
   * context.
   */
  section?: (oldIndex: number, newIndex: number) => string | undefined;
}

/** `a` and `b` compared line by line; "" when they are equal. */
export function unifiedDiff(
  a: string,
  b: string,
  options: DiffOptions,
): string {
  if (a === b) return "";
  const { context = 3, section } = options;
  const edits = editScript(lines(a), lines(b));
  const changed = edits.flatMap((edit, k) => edit.op === " " ? [] : [k]);
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const from = Math.max(0, k - context);
    const to = Math.min(edits.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1] + 1) last[1] = to;
    else hunks.push([from, to]);
  }
  const out = [`--- ${options.oldLabel}`, `+++ ${options.newLabel}`];
  for (const [from, to] of hunks) {
    const slice = edits.slice(from, to + 1);
    const oldCount = slice.filter((e) => e.op !== "+").length;
    const newCount = slice.filter((e) => e.op !== "-").length;
    const first = slice[0]!;
    const oldStart = oldCount === 0 ? first.oldIndex : first.oldIndex + 1;
    const newStart = newCount === 0 ? first.newIndex : first.newIndex + 1;
    const change = slice.find((e) => e.op !== " ") ?? first;
    const name = section?.(change.oldIndex, change.newIndex);
    out.push(
      `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@${
        name ? ` ${name}` : ""
      }`,
    );
    for (const edit of slice) out.push(`${edit.op}${edit.line}`);
  }
  return out.join("\n") + "\n";
}
