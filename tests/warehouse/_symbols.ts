/**
 * Shared fixtures of the warehouse tests: reference frames, the three
 * reference loads of the SCD2 story, and reading dim_symbol back.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import { SYMBOL_REF_FIELDS, type SymbolRef } from "@pipeline/symbols.ts";

/** The as-of times of the three loads. */
export const T1 = new Date("2026-11-20T21:30:00Z");
export const T2 = new Date("2026-11-21T21:30:00Z");
export const T3 = new Date("2026-11-22T21:30:00Z");

/** Run ids of the three loads. */
export const RUN1 = "00000000-0000-4000-8000-000000000001";
export const RUN2 = "00000000-0000-4000-8000-000000000002";
export const RUN3 = "00000000-0000-4000-8000-000000000003";

/** A reference frame of `rows` (Utf8 columns, sorted by symbol). */
export function referenceFrame(rows: readonly SymbolRef[]): pl.DataFrame {
  return pl.DataFrame(
    SYMBOL_REF_FIELDS.map((f) => pl.Series(f, rows.map((r) => r[f]), pl.Utf8)),
  ).sort("symbol");
}

const A: SymbolRef = {
  symbol: "A",
  name: "Alpha Inc.",
  exchange: "NYSE",
  currency: "USD",
  sector: null,
};
const B: SymbolRef = {
  symbol: "B",
  name: "Beta Corp",
  exchange: "NASDAQ",
  currency: "USD",
  sector: "Energy",
};
const C: SymbolRef = {
  symbol: "C",
  name: "Gamma plc",
  exchange: "LSE",
  currency: "GBP",
  sector: "Financials",
};
const D: SymbolRef = {
  symbol: "D",
  name: "Delta AG",
  exchange: "XETRA",
  currency: "EUR",
  sector: "Industrials",
};

/**
 * The three loads: 1 has A, B, C; 2 changes B's sector and adds D; 3 lacks
 * C.
 */
export const LOADS: readonly (readonly SymbolRef[])[] = [
  [A, B, C],
  [A, { ...B, sector: "Utilities" }, C, D],
  [A, { ...B, sector: "Utilities" }, D],
];

/** A version of dim_symbol as the tests compare it. */
export interface Version {
  symbol: string;
  name: string;
  sector: string | null;
  valid_from: string;
  valid_to: string | null;
  is_current: boolean;
  load_id: string;
  closed_load_id: string | null;
}

/** Every version of dim_symbol, by symbol and valid_from. */
export async function versions(client: SqlClient): Promise<Version[]> {
  const { rows } = await client.query<
    Omit<Version, "valid_from" | "valid_to"> & {
      valid_from: Date;
      valid_to: Date | null;
    }
  >(
    `SELECT symbol, name, sector, valid_from, valid_to, is_current,
            load_id::text AS load_id, closed_load_id::text AS closed_load_id
     FROM dim_symbol ORDER BY symbol, valid_from, symbol_key`,
  );
  return rows.map((r) => ({
    ...r,
    valid_from: new Date(r.valid_from).toISOString(),
    valid_to: r.valid_to === null ? null : new Date(r.valid_to).toISOString(),
  }));
}

/** dim_symbol without its surrogate keys and run ids, for comparing paths. */
export async function dimension(client: SqlClient): Promise<unknown[]> {
  const { rows } = await client.query(
    `SELECT symbol, name, exchange, currency, sector, row_hash,
            valid_from::text, valid_to::text, is_current
     FROM dim_symbol ORDER BY symbol, valid_from, valid_to NULLS LAST`,
  );
  return rows;
}

/** The versions the three loads must leave, in {@link versions} order. */
export function expectedVersions(runs: readonly string[]): Version[] {
  const [r1, r2, r3] = runs as [string, string, string];
  const t1 = T1.toISOString(), t2 = T2.toISOString(), t3 = T3.toISOString();
  const v = (
    symbol: string,
    name: string,
    sector: string | null,
    from: [string, string],
    to: [string, string] | null,
  ): Version => ({
    symbol,
    name,
    sector,
    valid_from: from[0],
    valid_to: to?.[0] ?? null,
    is_current: to === null,
    load_id: from[1],
    closed_load_id: to?.[1] ?? null,
  });
  return [
    v("A", "Alpha Inc.", null, [t1, r1], null),
    v("B", "Beta Corp", "Energy", [t1, r1], [t2, r2]),
    v("B", "Beta Corp", "Utilities", [t2, r2], null),
    v("C", "Gamma plc", "Financials", [t1, r1], [t3, r3]),
    v("D", "Delta AG", "Industrials", [t2, r2], null),
  ];
}
