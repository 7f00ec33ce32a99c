/**
 * The warehouse tables of bars as Kysely types, merged into `Database`.
 * @module
 */
import type { Timestamp } from "@pipeline/load/database.ts";

/** A one-minute bar with its derived columns. */
export interface Bar1mTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  ret: number | null;
  ma_close_20: number | null;
  ma_volume_20: number | null;
  vwap: number | null;
  load_id: string;
}

/** A 5-minute, 1-hour or daily aggregate bar. */
export interface BarAggTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  bar_count: number;
  load_id: string;
}

declare module "@pipeline/load/database.ts" {
  interface Database {
    bars_1m: Bar1mTable;
    bars_5m: BarAggTable;
    bars_1h: BarAggTable;
    bars_1d: BarAggTable;
  }
}
