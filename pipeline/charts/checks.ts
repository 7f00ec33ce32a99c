// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-checks
/**
 * The quality checks over time: one cell per run and check (dataset and
 * check name), coloured by its worst status over the partitions (pass,
 * warn, fail), with the counts as a tooltip.
 * @module
 */
import * as Plot from "@observablehq/plot";

/** The outcome of one check in one run, over its partitions. */
export interface CheckCell {
  /** The run's label (its start time). */
  run: string;
  /** `dataset / check_name`. */
  check: string;
  /** The worst status: `fail` over `warn` over `pass`. */
  status: "pass" | "warn" | "fail";
  pass: number;
  warn: number;
  fail: number;
}

/** Colours of the statuses. */
export const STATUS_COLORS = {
  pass: "#26a69a",
  warn: "#f2a900",
  fail: "#ef5350",
};

/** Options of {@link checksChart}. */
export interface ChecksChartOptions {
  document: Document;
  width?: number;
}

/** The checks-over-time chart of `cells` (runs oldest first). */
export function checksChart(
  cells: readonly CheckCell[],
  options: ChecksChartOptions,
): HTMLElement | SVGSVGElement {
  const runs = [...new Set(cells.map((c) => c.run))];
  const checks = [...new Set(cells.map((c) => c.check))].sort();
  return Plot.plot({
    document: options.document,
    title: "Checks per run: worst status over the partitions",
    width: options.width ?? 960,
    height: Math.max(140, 60 + checks.length * 16),
    marginLeft: 220,
    marginBottom: 60,
    x: { label: null, domain: runs, tickRotate: -30 },
    y: { label: null, domain: checks },
    color: {
      legend: true,
      domain: Object.keys(STATUS_COLORS),
      range: Object.values(STATUS_COLORS),
    },
    marks: [
      Plot.cell(cells, {
        x: "run",
        y: "check",
        fill: "status",
        inset: 0.5,
        title: (d: CheckCell) =>
          `${d.check} at ${d.run}: ${d.pass} pass, ${d.warn} warn, ${d.fail} fail`,
      }),
    ],
  });
}
