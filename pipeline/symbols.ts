/**
 * The symbol reference contract (the `symbols` dataset): field names, the
 * frames that cross each stage boundary, and the zod schemas of a reference
 * record.
 *
 * - **Raw reference frame** (extract → validate): one row per source record,
 *   columns {@link SYMBOL_REF_FIELDS} all `Utf8` (nullable, as delivered)
 *   plus `record` (`Utf8`), where the record came from (`refs.csv:3`,
 *   `synthetic:symbols:AAPL`).
 * - **Valid reference frame** (validate → transform): the same columns,
 *   trimmed; `sector` null when blank (it is optional, the other attributes
 *   are required). May still hold exact duplicates of a symbol; the transform
 *   removes and counts them.
 * - **Reference frame** (transform → load): {@link SYMBOL_REF_FIELDS}, unique
 *   by symbol, sorted by symbol.
 * - **Quarantine frame** (validate → load): `QUARANTINE_COLUMNS` of
 *   `@pipeline/bars.ts`, all Utf8; `ts` is always null (a reference record
 *   has no time of its own), `raw` is the five fields as JSON.
 *
 * @module
 */
import { z } from "zod";
import { SymbolSchema } from "@pipeline/bars.ts";

/** The fields of a reference record, in column order. */
export const SYMBOL_REF_FIELDS = [
  "symbol",
  "name",
  "exchange",
  "currency",
  "sector",
] as const;
/** One of {@link SYMBOL_REF_FIELDS}. */
export type SymbolRefField = typeof SYMBOL_REF_FIELDS[number];

/** The attributes of a symbol: what a new SCD2 version is opened for. */
export const SYMBOL_ATTRIBUTES = [
  "name",
  "exchange",
  "currency",
  "sector",
] as const;

/** Attributes a record must have (sector is optional). */
export const REQUIRED_SYMBOL_ATTRIBUTES = [
  "name",
  "exchange",
  "currency",
] as const;

/** An ISO 4217 currency code: three upper-case letters. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, {
  message: "expected an ISO 4217 currency code like USD",
});

/** A validated reference record (the row type of the reference frame). */
export const SymbolRefSchema = z.object({
  symbol: SymbolSchema,
  name: z.string().min(1),
  exchange: z.string().min(1),
  currency: CurrencySchema,
  sector: z.string().min(1).nullable(),
});
/** A validated reference record. */
export type SymbolRef = z.infer<typeof SymbolRefSchema>;
