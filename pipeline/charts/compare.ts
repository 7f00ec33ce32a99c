// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-compare
/**
 * Several symbols on one normalised axis: each close divided by the
 * symbol's first close in the range, times 100, so the lines start at 100
 * and read as percent of the start; each line's tooltip gives its first
 * and last close.
 * @module
 */
import * as Plot from "@observablehq/plot";

/** One close of one symbol. */
export interface ClosePoint {
  symbol: string;
  ts: Date;
  close: number;
}

/** A close rebased on its symbol's first close (100 = the first). */
export interface IndexedPoint extends ClosePoint {
  index: number;
}

/** Rebases each symbol's closes (sorted by `ts`) on its first one. */
export function normalise(points: readonly ClosePoint[]): IndexedPoint[] {
  const first = new Map<string, number>();
  return points.map((p) => {
    if (!first.has(p.symbol)) first.set(p.symbol, p.close);
    const base = first.get(p.symbol)!;
    return { ...p, index: base === 0 ? 100 : (p.close / base) * 100 };
  });
}

/** Options of {@link compareChart}. */
export interface CompareChartOptions {
  document: Document;
  granularity: string;
  width?: number;
  height?: number;
}

/** The normalised comparison chart of `points`. */
export function compareChart(
  points: readonly ClosePoint[],
  options: CompareChartOptions,
): HTMLElement | SVGSVGElement {
  const { document, granularity } = options;
  const rows = normalise(points);
  const symbols = [...new Set(points.map((p) => p.symbol))];
  const titles = new Map(symbols.map((symbol) => {
    const own = rows.filter((r) => r.symbol === symbol);
    const [first, last] = [own[0]!, own.at(-1)!];
    const at = (p: IndexedPoint) => p.ts.toISOString().slice(0, 16);
    return [
      symbol,
      `${symbol}: ${first.close.toFixed(2)} at ${at(first)} to ${
        last.close.toFixed(2)
      } at ${at(last)} (${last.index.toFixed(1)})`,
    ];
  }));
  return Plot.plot({
    document,
    title: `${
      symbols.join(", ")
    }: ${granularity} closes rebased to 100 at the start`,
    width: options.width ?? 960,
    height: options.height ?? 300,
    x: { type: "utc", label: null, round: true },
    y: { grid: true, label: "close (first = 100)", round: true },
    color: { legend: true, domain: symbols },
    marks: [
      Plot.ruleY([100], { stroke: "#ccc" }),
      Plot.lineY(rows, {
        x: "ts",
        y: "index",
        stroke: "symbol",
        // One title per line: a title varying along a line splits it
        // into a path per segment (273 paths and titles a symbol, 88 kB).
        title: (d: IndexedPoint) => titles.get(d.symbol),
      }),
    ],
  });
}
