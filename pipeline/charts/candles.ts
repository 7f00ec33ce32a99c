// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-candles
/**
 * The price chart: candlesticks of one symbol (a thin rule from low to high,
 * a thick one from open to close, green when the bar closed at or above its
 * open), its 20-bar moving average and VWAP, each candle's values as a
 * tooltip (`<title>`), and the unfinished session shaded and labelled.
 * Drawn by Observable Plot on any DOM (`document`: the browser's, or
 * linkedom's on a server or in a notebook).
 * @module
 */
import * as Plot from "@observablehq/plot";

/** One bar as the chart takes it. */
export interface CandleBar {
  /** The bar's start. */
  ts: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** The 20-bar moving average of the close (null for the first 19). */
  ma20: number | null;
  /** The volume-weighted average price, if known. */
  vwap: number | null;
}

/** Options of {@link candleChart}. */
export interface CandleChartOptions {
  /** The DOM to draw on. */
  document: Document;
  /** The symbol, for the title and the axis. */
  symbol: string;
  /** The bars' width, for the title (`1m`, `30m`, `2h`, `1d`, `1w`...). */
  granularity: string;
  /** The start of the session still trading, if one is: shaded from there. */
  unfinishedFrom?: Date | undefined;
  width?: number;
  height?: number;
}

/** Up and down colours of candles and volume bars. */
export const UP_COLOR = "#26a69a";
export const DOWN_COLOR = "#ef5350";

/**
 * Numbers with thousands separators, as `toLocaleString("en-US")` writes
 * them: one formatter made once (`toLocaleString` builds one per call, ~0.1
 * ms, a tooltip each).
 */
export const NUMBER_FORMAT = new Intl.NumberFormat("en-US");

/** Whether bars of `granularity` (`5m`, `2h`, `1d`...) are within a day. */
export function isIntraday(granularity: string): boolean {
  return /^\d+[mh]$/.test(granularity);
}

/** A bar's values on one line, for its tooltip. */
export function candleTitle(bar: CandleBar): string {
  const fmt = (v: number | null) => v === null ? "-" : v.toFixed(2);
  return `${bar.ts.toISOString().slice(0, 16).replace("T", " ")} UTC\n` +
    `open ${fmt(bar.open)} high ${fmt(bar.high)} low ${fmt(bar.low)} close ${
      fmt(bar.close)
    }\nvolume ${NUMBER_FORMAT.format(bar.volume)} MA20 ${fmt(bar.ma20)} VWAP ${
      fmt(bar.vwap)
    }`;
}

/** The candlestick chart of `bars` (sorted by `ts`). */
export function candleChart(
  bars: readonly CandleBar[],
  options: CandleChartOptions,
): HTMLElement | SVGSVGElement {
  const { document, symbol, granularity, unfinishedFrom } = options;
  const last = bars.at(-1);
  // Intraday lines break between sessions (the VWAP restarts each day).
  const session = isIntraday(granularity)
    ? (d: CandleBar) => d.ts.toISOString().slice(0, 10)
    : null;
  const unfinished = unfinishedFrom && last
    ? [{ x1: unfinishedFrom, x2: last.ts }]
    : [];
  return Plot.plot({
    document,
    title:
      `${symbol}: ${granularity} candles, 20-bar average (grey) and VWAP (orange)`,
    width: options.width ?? 960,
    height: options.height ?? 360,
    marginTop: 24,
    // Whole pixels: shorter SVG, crisp edges.
    x: { type: "utc", label: null, round: true },
    y: { grid: true, label: `${symbol} ($)`, round: true },
    marks: [
      Plot.rectX(unfinished, {
        x1: "x1",
        x2: "x2",
        fill: "#fff3c4",
        title: () => "unfinished session: still trading",
      }),
      Plot.text(unfinished, {
        x: "x1",
        frameAnchor: "top",
        textAnchor: "start",
        dx: 4,
        dy: -16,
        text: () => "unfinished session",
      }),
      Plot.ruleX(bars, { x: "ts", y1: "low", y2: "high", stroke: "#555" }),
      Plot.ruleX(bars, {
        x: "ts",
        y1: "open",
        y2: "close",
        strokeWidth: Math.max(1, Math.min(6, 600 / Math.max(1, bars.length))),
        stroke: (d: CandleBar) => d.close >= d.open ? UP_COLOR : DOWN_COLOR,
        title: candleTitle,
      }),
      Plot.lineY(bars, { x: "ts", y: "ma20", z: session, stroke: "#999" }),
      Plot.lineY(bars, { x: "ts", y: "vwap", z: session, stroke: "orange" }),
    ],
  });
}
