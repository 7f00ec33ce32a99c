/**
 * The warehouse tables of the price and volume join as Kysely types,
 * merged into `Database` (migration 0012).
 * @module
 */
import type { Timestamp } from "@pipeline/load/database.ts";

/** A side that arrived: a price or a volume of a (symbol, minute). */
export interface PriceVolumeSidesTable {
  symbol: string;
  ts: Timestamp;
  side: string;
  value: number;
  /** The commit that brought it. */
  arrived_at: Timestamp;
  /** Still waiting for its partner. */
  pending: boolean;
  load_id: string;
}

/** A matched (symbol, minute) and its price-volume ratio. */
export interface PriceVolumeTable {
  symbol: string;
  ts: Timestamp;
  price: number;
  volume: number;
  /** price / volume; NULL for a volume of 0. */
  ratio: number | null;
  load_id: string;
}

/** A side recorded without its partner, with the reason. */
export interface PriceVolumeUnmatchedTable {
  symbol: string;
  ts: Timestamp;
  side: string;
  value: number;
  arrived_at: Timestamp;
  reason: string;
  recorded_at: Timestamp;
  load_id: string;
}

declare module "@pipeline/load/database.ts" {
  interface Database {
    price_volume_sides: PriceVolumeSidesTable;
    price_volume: PriceVolumeTable;
    price_volume_unmatched: PriceVolumeUnmatchedTable;
  }
}
