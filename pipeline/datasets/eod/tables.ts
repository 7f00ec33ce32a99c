// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#tables
/**
 * The warehouse table of eod as a Kysely type, merged into `Database`.
 * @module
 */
import type { Timestamp } from "@pipeline/load/database.ts";

/** A daily bar of `eod_bars` (migration 2026_12_03_0011_eod_bars). */
export interface EodBarTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  adj_close: number | null;
  volume: number;
  ret: number | null;
  load_id: string;
}

declare module "@pipeline/load/database.ts" {
  interface Database {
    eod_bars: EodBarTable;
  }
}
