// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#checks
/**
 * The quality checks of eod.
 * @module
 */
import type { QualityCheck, QualityInput } from "@pipeline/quality/check.ts";
import { ohlcCheck } from "@pipeline/quality/ohlc.ts";
import { uniqueKeyCheck } from "@pipeline/quality/unique_key.ts";
import { finiteCheck } from "@pipeline/quality/finite.ts";
import { nullRateCheck } from "@pipeline/quality/null_rate.ts";
import type { EodBatch } from "@pipeline/datasets/eod/load.ts";

/**
 * The checks of daily bars, per symbol: `ohlc.eod_bars`,
 * `unique_key.eod_bars`, `finite.eod_bars` (blocking) and
 * `null_rate.eod_bars.ret` (warn; each symbol's first day not counted).
 */
export function eodChecks(): QualityCheck<EodBatch>[] {
  const frame = "eod_bars";
  const select = ({ batch }: QualityInput<EodBatch>) => batch.bars;
  const entity = "symbol";
  return [
    ohlcCheck<EodBatch>({ frame, select, entity }),
    uniqueKeyCheck<EodBatch>({ frame, select, entity }),
    finiteCheck<EodBatch>({ frame, select, entity }),
    nullRateCheck<EodBatch>({
      frame,
      select,
      entity,
      column: "ret",
      leading: 1,
      severity: "warn",
    }),
  ];
}
