// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#limits
/**
 * The plausible daily bars, declared with the dataset.
 * @module
 */
import { type BarLimits, DEFAULT_BAR_LIMITS } from "@pipeline/validate/bars.ts";

/**
 * The limits of a daily bar: not before 1990 (configurable through
 * {@link validateEod}'s options), not after now + 1 day, prices in
 * 1e-6..1e9 and volumes up to 1e13 (as bars). A record outside them is
 * quarantined naming the bound.
 */
export const EOD_LIMITS: Readonly<BarLimits> = {
  ...DEFAULT_BAR_LIMITS,
  earliest: new Date("1990-01-01T00:00:00Z"),
  futureToleranceMs: 86_400_000,
};
