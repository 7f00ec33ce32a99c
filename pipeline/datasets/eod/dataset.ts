// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#dataset
/**
 * The eod dataset: daily OHLCV bars per symbol.
 * @module
 */
import type {} from "@pipeline/datasets/eod/tables.ts";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import * as validate from "@pipeline/datasets/eod/validate.ts";
import * as transform from "@pipeline/datasets/eod/transform.ts";
import * as resource from "@pipeline/datasets/eod/resource.ts";
import * as derived from "@pipeline/datasets/eod/derived.ts";
import * as load from "@pipeline/datasets/eod/load.ts";
import type { EodBatch } from "@pipeline/datasets/eod/load.ts";
import * as checks from "@pipeline/datasets/eod/checks.ts";
import * as lake from "@pipeline/datasets/eod/lake.ts";
import * as sources from "@pipeline/datasets/eod/sources.ts";

/**
 * Daily bars: validate, transform, check, load and snapshot. Delivered by
 * \`--source file\` and \`--source alphavantage\` with \`--dataset eod\` (the
 * own dataset of neither: \`ownOf\` none); \`ret\` is recomputed from the
 * warehouse by the generic load (\`derived\`).
 */
export const eodDataset: Dataset<EodBatch> = {
  name: "eod",
  entityColumn: "symbol",
  tables: lake.EOD_LAKE_TABLES,
  sources: sources.EOD_SOURCES,
  resource: resource.EOD_BARS,
  primary: (batch) => batch.bars,
  derived: [derived.EOD_RET],
  validate: (raw, { now }) => validate.validateEod(raw, { now }),
  transform(valid) {
    const { bars, duplicates } = transform.transformEod(valid);
    return {
      batch: { bars },
      rows: bars.height,
      duplicates,
      dates: utcDates(bars),
    };
  },
  checks: checks.eodChecks(),
  withoutEntities(transformed, entities): Transformed<EodBatch> {
    const bars = withoutValues(transformed.batch.bars, "symbol", entities);
    return {
      ...transformed,
      batch: { bars },
      rows: bars.height,
      dates: utcDates(bars),
    };
  },
  load: (tx, batch, options) => load.loadEod(tx, batch, options),
};
