// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-volume
/**
 * The volume chart under the candles: one bar per candle, green when it
 * closed at or above its open, with the price-volume ratio (dollar volume
 * per share traded, i.e. the bar's VWAP or close) in its tooltip.
 * @module
 */
import * as Plot from "@observablehq/plot";
import * as candleModule from "@pipeline/charts/candles.ts";

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
  bars: readonly candleModule.CandleBar[],
  options: VolumeChartOptions,
): HTMLElement | SVGSVGElement {
  const { document, symbol, granularity } = options;
  return Plot.plot({
    document,
    title: `${symbol}: shares traded per ${granularity} bar`,
    width: options.width ?? 960,
    height: options.height ?? 160,
    marginLeft: 60,
    x: { type: "utc", label: null, round: true },
    y: { grid: true, label: "volume", round: true },
    marks: [
      Plot.ruleX(bars, {
        x: "ts",
        y: "volume",
        strokeWidth: Math.max(1, Math.min(6, 600 / Math.max(1, bars.length))),
        stroke: (d: candleModule.CandleBar) =>
          d.close >= d.open ? candleModule.UP_COLOR : candleModule.DOWN_COLOR,
        title: (d: candleModule.CandleBar) =>
          `${d.ts.toISOString().slice(0, 16).replace("T", " ")} UTC: ${
            candleModule.NUMBER_FORMAT.format(d.volume)
          } shares, $${
            candleModule.NUMBER_FORMAT.format(
              Math.round(d.volume * (d.vwap ?? d.close)),
            )
          }`,
      }),
      Plot.ruleY([0]),
    ],
  });
}
