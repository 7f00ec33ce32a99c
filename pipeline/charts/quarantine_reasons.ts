// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-quarantine-reasons
/**
 * The quarantine by reason: one bar per (dataset, field, reason) group with
 * its number of records.
 * @module
 */
import * as Plot from "@observablehq/plot";

/** One group of quarantined records. */
export interface ReasonCount {
  /** `dataset.field: reason`. */
  reason: string;
  records: number;
}

/** Options of {@link quarantineChart}. */
export interface QuarantineChartOptions {
  document: Document;
  width?: number;
}

/** The quarantine-by-reason chart of `groups` (largest first). */
export function quarantineChart(
  groups: readonly ReasonCount[],
  options: QuarantineChartOptions,
): HTMLElement | SVGSVGElement {
  return Plot.plot({
    document: options.document,
    title: "Quarantined records by reason",
    width: options.width ?? 960,
    height: Math.max(120, 50 + groups.length * 22),
    marginLeft: 380,
    x: { grid: true, label: "records" },
    y: { label: null, domain: groups.map((g) => g.reason) },
    marks: [
      Plot.barX(groups, {
        y: "reason",
        x: "records",
        fill: "#1f3b73",
        title: (d: ReasonCount) => `${d.reason}: ${d.records} records`,
      }),
      Plot.ruleX([0]),
    ],
  });
}
