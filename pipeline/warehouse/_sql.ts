/**
 * SQL text from validated names and instants only. Private to the
 * warehouse folder.
 * @module
 */

/** Table, partition and column names the warehouse accepts. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns `name` double-quoted after checking it against
 * `/^[a-z_][a-z0-9_]{0,62}$/`; throws a `TypeError` naming it otherwise.
 */
export function ident(name: string, what = "identifier"): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new TypeError(
      `invalid ${what} ${JSON.stringify(name)}: expected ${IDENTIFIER}`,
    );
  }
  return `"${name}"`;
}

/** A `timestamptz` literal of `at` in UTC, e.g. `'2026-11-01T00:00:00.000Z'`. */
export function timestampLiteral(at: Date): string {
  const iso = at.toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)) {
    throw new RangeError(`instant out of range: ${iso}`);
  }
  return `'${iso}'`;
}
