// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#derived
/**
 * The derived asset of eod: the daily return, recomputed from `eod_bars`.
 * @module
 */
import type { WindowAsset } from "@pipeline/load/derived_asset.ts";

/**
 * `ret` of `eod_bars`: each symbol's close over its previous stored close,
 * minus 1 (prices are positive, so the divisor is never 0). The period (for
 * cumulative columns, of which there are none) is the UTC day.
 */
export const EOD_RET: WindowAsset = {
  kind: "window",
  upstream: { name: "eod_bars", entity: "symbol", time: "ts" },
  lookback: 1,
  period: {
    start: (t) =>
      `(date_trunc('day', (${t}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`,
    end: (t) =>
      `((date_trunc('day', (${t}) AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC')`,
  },
  columns: { ret: "close / lag(close) OVER w - 1" },
};
