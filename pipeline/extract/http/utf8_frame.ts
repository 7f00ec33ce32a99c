/**
 * Building raw frames: every column `Utf8`, nulls kept.
 * @module
 */
import pl from "nodejs-polars";

/**
 * A frame of `columns` in the order given, each a `Utf8` column (also when
 * empty or all null).
 *
 * @example
 * ```ts
 * import { utf8Frame } from "@pipeline/extract/http/utf8_frame.ts";
 * utf8Frame({ symbol: ["IBM"], volume: [null] }).dtypes; // [String, String]
 * ```
 */
export function utf8Frame(
  columns: Record<string, readonly (string | null)[]>,
): pl.DataFrame {
  return pl.DataFrame(
    Object.entries(columns).map(([name, values]) =>
      pl.Series(name, values as (string | null)[], pl.Utf8)
    ),
  );
}

/** A JSON scalar as raw text: numbers in shortest decimal form, null kept. */
export function rawText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}
