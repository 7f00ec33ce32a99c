/**
 * Seeded one-minute bars and the raw frames a source would hand over, for
 * the tests of the derived assets.
 * @module
 */
import pl from "nodejs-polars";
import { RAW_COLUMNS } from "@pipeline/extract/_raw.ts";
import { rngFor } from "@pipeline/extract/synthetic.ts";

/** One bar: its minute (UTC ms) and OHLCV. */
export interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Seeded floats in [0, 1): the synthetic source's mulberry32. */
export function random(seed: number): () => number {
  return rngFor(String(seed)).uniform;
}

/**
 * A random bar at `ts`: prices in 50..150 with cents, high and low around
 * open and close, and a zero volume with probability `zeroVolumeRate` (a
 * bucket or session may then sum to 0).
 */
export function randomBar(
  rand: () => number,
  ts: number,
  zeroVolumeRate: number,
): Bar {
  const close = Math.round((50 + rand() * 100) * 100) / 100;
  const open = Math.round((close + (rand() - 0.5) * 2) * 100) / 100;
  const high = Math.max(open, close) + Math.round(rand() * 100) / 100;
  const low = Math.max(
    0.01,
    Math.min(open, close) - Math.round(rand() * 100) / 100,
  );
  const volume = rand() < zeroVolumeRate ? 0 : Math.floor(rand() * 5_000);
  return { ts, open, high, low, close, volume };
}

/**
 * A raw frame (all text, the raw columns) of `rows`, as a source hands it
 * over; `record(i)` names the i-th row (from 0).
 */
export function rawBars(
  rows: readonly (Bar & { symbol: string })[],
  record: (i: number) => string,
): pl.DataFrame {
  const text = (f: (r: Bar & { symbol: string }) => string) => rows.map(f);
  const columns: Record<string, string[]> = {
    symbol: text((r) => r.symbol),
    ts: text((r) => new Date(r.ts).toISOString()),
    open: text((r) => String(r.open)),
    high: text((r) => String(r.high)),
    low: text((r) => String(r.low)),
    close: text((r) => String(r.close)),
    volume: text((r) => String(r.volume)),
    record: rows.map((_, i) => record(i)),
  };
  return pl.DataFrame(
    RAW_COLUMNS.map((c) => pl.Series(c, columns[c] ?? [], pl.Utf8)),
  );
}
