/**
 * Frames into COPY input. Private to the load stage.
 * @module
 */
import pl from "nodejs-polars";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns `name` double-quoted after checking it against a strict pattern.
 * Identifiers only ever come from the fixed table specs, never from input,
 * but the check makes that a guarantee rather than a convention.
 */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid identifier: ${name}`);
  return `"${name}"`;
}

/** `"a", "b", "c"` for a list of identifiers. */
export function identList(names: readonly string[]): string {
  return names.map(ident).join(", ");
}

/**
 * Encodes `columns` of `frame` as CSV without a header, for
 * `COPY ... (FORMAT csv)`. Polars writes it in native code: no row objects
 * are made in JavaScript. Nulls become empty fields, which COPY reads as NULL.
 */
export function frameToCsv(
  frame: pl.DataFrame,
  columns: readonly string[],
): Uint8Array {
  const out = frame.select(...columns).writeCSV({ includeHeader: false });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
