/**
 * CSV lines of extracted rows, read alike by Postgres `COPY ... (FORMAT csv)`
 * and DuckDB `read_csv(..., allow_quoted_nulls = false)`: NULL is an
 * unquoted empty field, the empty string is `""`, a field with a quote,
 * comma or line break is quoted with quotes doubled.
 * @module
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** One field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : String(value);
  if (text === "" || NEEDS_QUOTES.test(text)) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/**
 * The CSV text of `rows` (each line ending in `\n`). `plain[i]` marks a
 * column whose values never need quoting (numbers and timestamps): written
 * as they are, which spares the check of every field of most columns.
 */
export function csvLines(
  rows: readonly (readonly unknown[])[],
  plain: readonly boolean[] = [],
): string {
  let out = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += ",";
      const v = row[i];
      if (v === null || v === undefined) continue;
      line += plain[i] && typeof v !== "object" ? v : csvField(v);
    }
    out += line + "\n";
  }
  return out;
}
