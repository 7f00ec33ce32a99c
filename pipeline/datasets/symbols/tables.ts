/**
 * The warehouse tables of symbols as Kysely types, merged into `Database`.
 * @module
 */
import type { Generated } from "kysely";
import type { Timestamp } from "@pipeline/load/database.ts";

/** A version of a symbol (SCD2): valid over [valid_from, valid_to). */
export interface DimSymbolTable {
  symbol_key: Generated<string>;
  symbol: string;
  name: string;
  exchange: string;
  currency: string;
  sector: string | null;
  row_hash: string;
  valid_from: Timestamp;
  /** NULL while the version is open (current). */
  valid_to: Timestamp | null;
  is_current: boolean;
  /** The run that opened the version. */
  load_id: string;
  /** The run that closed it. */
  closed_load_id: string | null;
}

/** One reference load of dim_symbol. */
export interface DimSymbolLoadTable {
  load_id: string;
  as_of: Timestamp;
  full_load: boolean;
  method: "compare" | "diff";
  base_date: string | null;
  rows: number;
  opened: number;
  closed: number;
  unchanged: number;
  recorded_at: Generated<Date>;
}

declare module "@pipeline/load/database.ts" {
  interface Database {
    dim_symbol: DimSymbolTable;
    dim_symbol_loads: DimSymbolLoadTable;
  }
}
