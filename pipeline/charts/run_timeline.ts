// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-run-timeline
/**
 * The runs' timeline: one horizontal bar per run, split into its stages'
 * durations (extract, validate, transform, load, snapshot...), each with
 * its rows and seconds as a tooltip.
 * @module
 */
import * as Plot from "@observablehq/plot";

/** One stage of one run. */
export interface StageTiming {
  /** The run's label on the axis (its start time). */
  run: string;
  stage: string;
  seconds: number;
  rowsOut: number;
}

/** Options of {@link runTimelineChart}. */
export interface RunTimelineOptions {
  document: Document;
  width?: number;
}

/** The timeline of `stages` (runs in the order given, newest first). */
export function runTimelineChart(
  stages: readonly StageTiming[],
  options: RunTimelineOptions,
): HTMLElement | SVGSVGElement {
  const runs = [...new Set(stages.map((s) => s.run))];
  return Plot.plot({
    document: options.document,
    title: "Runs: seconds per stage, newest first",
    width: options.width ?? 960,
    height: Math.max(120, 40 + runs.length * 18),
    marginLeft: 150,
    x: { grid: true, label: "seconds" },
    y: { label: null, domain: runs },
    color: { legend: true },
    marks: [
      Plot.barX(stages, {
        y: "run",
        x: "seconds",
        fill: "stage",
        title: (d: StageTiming) =>
          `${d.stage}: ${d.seconds.toFixed(2)} s, ${d.rowsOut} rows out`,
      }),
      Plot.ruleX([0]),
    ],
  });
}
