/**
 * The transform stage for symbol reference data: the valid reference frame
 * becomes the reference frame the SCD2 merge takes (one row per symbol,
 * sorted), and the symbols whose only records were quarantined are named so
 * that a full load keeps them as they were instead of closing them.
 * @module
 */
import pl from "nodejs-polars";
import { SymbolSchema } from "@pipeline/bars.ts";
import { SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";

/** Options of {@link transformSymbols}. */
export interface TransformSymbolsOptions {
  /**
   * The quarantine frame of the same validation (column `symbol` as
   * delivered). Default: none, so no symbol is held.
   */
  quarantine?: pl.DataFrame | undefined;
}

/** What {@link transformSymbols} returns. */
export interface TransformSymbolsResult {
  /** {@link SYMBOL_REF_FIELDS}, unique by symbol, sorted by symbol. */
  reference: pl.DataFrame;
  /**
   * Well-formed symbols that only quarantined records named, sorted: the
   * reference mentions them but says nothing valid about them, so a full
   * load must not read their absence as a delisting.
   */
  held: string[];
  /** Exact duplicate records removed (same symbol, same attributes). */
  duplicates: number;
}

/**
 * Removes exact duplicates (validation already quarantined conflicting
 * ones, so the copies left of a symbol are identical) and names the held
 * symbols.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { transformSymbols } from "@pipeline/datasets/symbols/transform.ts";
 * const row = { symbol: "AAPL", name: "Apple Inc.", exchange: "NASDAQ", currency: "USD", sector: null };
 * const valid = pl.DataFrame([{ ...row, record: "a:2" }, { ...row, record: "a:3" }]);
 * transformSymbols(valid).duplicates; // 1
 * ```
 */
export function transformSymbols(
  valid: pl.DataFrame,
  options: TransformSymbolsOptions = {},
): TransformSymbolsResult {
  const { quarantine } = options;
  const reference = valid
    .select(...SYMBOL_REF_FIELDS.map((f) => pl.col(f).cast(pl.Utf8)))
    .unique({ subset: ["symbol"], keep: "last", maintainOrder: true })
    .sort("symbol");
  const loaded = new Set(reference.getColumn("symbol").toArray() as string[]);
  const held = new Set<string>();
  if (quarantine && quarantine.height > 0) {
    const named = quarantine.select(pl.col("symbol").str.strip().unique())
      .getColumn("symbol").toArray() as (string | null)[];
    for (const symbol of named) {
      if (
        symbol !== null && !loaded.has(symbol) &&
        SymbolSchema.safeParse(symbol).success
      ) held.add(symbol);
    }
  }
  return {
    reference,
    held: [...held].sort(),
    duplicates: valid.height - reference.height,
  };
}
