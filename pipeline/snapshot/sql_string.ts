/**
 * SQL string literals for the DuckDB statements of the snapshot.
 * @module
 */

/** A SQL string literal of `text` (single quotes doubled). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
