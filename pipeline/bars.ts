/**
 * The bar contract shared by every stage: field names and the columns of the
 * frames that cross each stage boundary.
 *
 * - **Raw frame** (extract → validate): one row per source record, columns
 *   {@link BAR_FIELDS} all `Utf8` (nullable, exactly as delivered: a number is
 *   its decimal text, a missing field is null) plus `record` (`Utf8`), a
 *   stable name for where the record came from (`input.csv:17`,
 *   `synthetic:AAPL:2026-11-20T14:31:00Z`), used in quarantine and errors.
 * - **Valid frame** (validate → transform): `symbol` Utf8, `ts`
 *   Datetime("ms", "UTC"), `open`/`high`/`low`/`close`/`volume` Float64,
 *   `record` Utf8. May still hold exact duplicates of (symbol, ts); the
 *   transform removes them and counts them.
 * - **Quarantine frame** (validate → load): {@link QUARANTINE_COLUMNS}, all
 *   Utf8.
 *
 * @module
 */
import { z } from "zod";

/** The fields every bar source delivers, in column order. */
export const BAR_FIELDS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "volume",
] as const;
/** One of {@link BAR_FIELDS}. */
export type BarField = typeof BAR_FIELDS[number];

/** The price fields of a bar. */
export const PRICE_FIELDS = ["open", "high", "low", "close"] as const;

/** Columns of the quarantine frame, all Utf8; `raw` is the record as JSON. */
export const QUARANTINE_COLUMNS = [
  "record",
  "symbol",
  "ts",
  "field",
  "reason",
  "raw",
] as const;

/** A symbol as exchanges and APIs spell it: `AAPL`, `BRK.B`, `^GSPC`. */
export const SymbolSchema = z.string().regex(/^[A-Z0-9^][A-Z0-9.\-^=]{0,15}$/);

/** A validated one-minute bar (the row type of the valid frame). */
export const BarSchema = z.object({
  symbol: SymbolSchema,
  ts: z.date(),
  open: z.number().finite().positive(),
  high: z.number().finite().positive(),
  low: z.number().finite().positive(),
  close: z.number().finite().positive(),
  volume: z.number().finite().nonnegative(),
}).refine((b) => b.high >= Math.max(b.open, b.close), {
  path: ["high"],
  message: "high is below max(open, close)",
}).refine((b) => b.low <= Math.min(b.open, b.close), {
  path: ["low"],
  message: "low is above min(open, close)",
});
/** A validated bar. */
export type Bar = z.infer<typeof BarSchema>;

/** A record as a source delivers it, before validation. */
export const RawBarSchema = z.object({
  symbol: z.unknown(),
  ts: z.unknown(),
  open: z.unknown(),
  high: z.unknown(),
  low: z.unknown(),
  close: z.unknown(),
  volume: z.unknown(),
}).partial();

/** A rejected record: which record, which field, and why. */
export const QuarantineRowSchema = z.object({
  record: z.string(),
  symbol: z.string().nullable(),
  ts: z.string().nullable(),
  field: z.string(),
  reason: z.string(),
  raw: z.string(),
});
/** A rejected record. */
export type QuarantineRow = z.infer<typeof QuarantineRowSchema>;
