/**
 * The volume chart under the candles: one bar per candle, green when it
 * closed at or above its open, with the price-volume ratio (dollar volume
 * per share traded, i.e. the bar's VWAP or close) in its tooltip.
 * @module
 */
import * as Plot from "@observablehq/plot";
import {
  type CandleBar,
  DOWN_COLOR,
  UP_COLOR,
} from "@pipeline/charts/candles.ts";

/** Options of {@link volumeChart}. */
export interface VolumeChartOptions {
  document: Document;
  symbol: string;
  granularity: string;
  width?: number;
  height?: number;
}

/** The volume chart of `bars` (sorted by `ts`). */
export function volumeChart(
  bars: readonly CandleBar[],
  options: VolumeChartOptions,
): HTMLElement | SVGSVGElement {
  const { document, symbol, granularity } = options;
  return Plot.plot({
    document,
    title: `${symbol}: shares traded per ${granularity} bar`,
    width: options.width ?? 960,
    height: options.height ?? 160,
    marginLeft: 60,
    x: { type: "utc", label: null },
    y: { grid: true, label: "volume" },
    marks: [
      Plot.ruleX(bars, {
        x: "ts",
        y: "volume",
        strokeWidth: Math.max(1, Math.min(6, 600 / Math.max(1, bars.length))),
        stroke: (d: CandleBar) => d.close >= d.open ? UP_COLOR : DOWN_COLOR,
        title: (d: CandleBar) =>
          `${d.ts.toISOString().slice(0, 16).replace("T", " ")} UTC: ${
            d.volume.toLocaleString("en-US")
          } shares, $${
            Math.round(d.volume * (d.vwap ?? d.close)).toLocaleString("en-US")
          }`,
      }),
      Plot.ruleY([0]),
    ],
  });
}
