// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#contract
/**
 * The eod contract: the raw frame a source delivers, the valid frame
 * validation hands to the transform, and the row of `eod_bars`.
 *
 * - **Raw frame** (extract → validate): {@link EOD_FIELDS} and `record`,
 *   all Utf8, one row per delivered record. `date` is the trading date,
 *   `YYYY-MM-DD`; `adj_close` may be null.
 * - **Valid frame** (validate → transform): `symbol` Utf8, `ts`
 *   Datetime("ms", "UTC") at the date's UTC midnight, `open`, `high`,
 *   `low`, `close`, `adj_close` (nullable), `volume` Float64, `record`.
 * - **Quarantine frame**: the bar quarantine columns (`record, symbol, ts,
 *   field, reason, raw`; `ts` holds the date as sent, `raw` the record's
 *   fields as JSON).
 * @module
 */
import { z } from "zod";
import { SymbolSchema } from "@pipeline/bars.ts";

/** The fields of a raw daily bar, in order. */
export const EOD_FIELDS = [
  "symbol",
  "date",
  "open",
  "high",
  "low",
  "close",
  "adj_close",
  "volume",
] as const;

/** One of {@link EOD_FIELDS}. */
export type EodField = typeof EOD_FIELDS[number];

/** The columns of the valid frame, in order. */
export const EOD_VALID_COLUMNS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "adj_close",
  "volume",
  "record",
] as const;

/** A loaded daily bar: a row of `eod_bars` (without `load_id`). */
export const EodBarSchema = z.object({
  symbol: SymbolSchema,
  /** The trading date's UTC midnight. */
  ts: z.date(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  adj_close: z.number().nullable(),
  volume: z.number(),
  /** close / previous close - 1, per symbol; null for the first day. */
  ret: z.number().nullable(),
});

/** A loaded daily bar. */
export type EodBar = z.infer<typeof EodBarSchema>;
