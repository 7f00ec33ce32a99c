/**
 * Small frames for the check tests: bars by (symbol, minute) and the
 * input every check reads.
 * @module
 */
import pl from "nodejs-polars";
import type { QualityInput } from "@pipeline/quality/check.ts";

/** 2026-11-20 09:30 New York, the open of a session. */
export const OPEN_MS = Date.parse("2026-11-20T14:30:00Z");

/** A bar: symbol, minutes after {@link OPEN_MS}, open, high, low, close. */
export type BarRow = [string, number, number, number, number, number];

/** Bars as a frame (volume 100, ts `Datetime("ms", "UTC")`), in the given order. */
export function barFrame(rows: readonly BarRow[]): pl.DataFrame {
  return pl.DataFrame({
    symbol: pl.Series("symbol", rows.map((r) => r[0]), pl.Utf8),
    ts: pl.Series("ts", rows.map((r) => OPEN_MS + r[1] * 60_000), pl.Int64)
      .cast(pl.Datetime("ms", "UTC")),
    open: pl.Series("open", rows.map((r) => r[2]), pl.Float64),
    high: pl.Series("high", rows.map((r) => r[3]), pl.Float64),
    low: pl.Series("low", rows.map((r) => r[4]), pl.Float64),
    close: pl.Series("close", rows.map((r) => r[5]), pl.Float64),
    volume: pl.Series("volume", rows.map(() => 100), pl.Float64),
  });
}

/** `n` consistent bars of `symbol` at minutes 0, 1, … */
export function cleanBars(symbol: string, n: number): BarRow[] {
  return Array.from({ length: n }, (_, i) => [symbol, i, 10, 11, 9, 10.5]);
}

/** A batch holding one frame. */
export interface OneFrame {
  frame: pl.DataFrame;
}

/** The input of a check over `frame` (also the valid frame). */
export function inputOf(
  frame: pl.DataFrame,
  now = new Date("2026-11-20T21:30:00Z"),
): QualityInput<OneFrame> {
  return { valid: frame, batch: { frame }, now };
}

/** Picks the frame of a {@link OneFrame} input. */
export const theFrame = ({ batch }: QualityInput<OneFrame>) => batch.frame;
