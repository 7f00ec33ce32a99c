// AUTO-GENERATED from notebooks/06_explore.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/06_explore.ipynb#charts-mod
/**
 * The charts, defined once: the notebooks and the dashboard
 * (`deno task serve`) draw them with the same functions.
 * @module
 */
export * from "@pipeline/charts/candles.ts";
export * from "@pipeline/charts/volume.ts";
export * from "@pipeline/charts/compare.ts";
export * from "@pipeline/charts/run_timeline.ts";
export * from "@pipeline/charts/checks.ts";
export * from "@pipeline/charts/quarantine_reasons.ts";
