/**
 * The bars dataset: one-minute OHLCV bars of stocks.
 * @module
 */
import type pl from "nodejs-polars";
import type { Dataset } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import { validateBars } from "@pipeline/validate/bars.ts";
import { transformBars } from "@pipeline/transform/bars.ts";
import { type BarBatch, loadBars } from "@pipeline/load/bars.ts";
import { WAREHOUSE_TABLES } from "@pipeline/snapshot/lake.ts";
import { barChecks } from "@pipeline/quality/bar_checks.ts";

/** Bars: validate, transform, load and snapshot of one-minute bars. */
export const barsDataset: Dataset<BarBatch> = {
  name: "bars",
  entityColumn: "symbol",
  tables: WAREHOUSE_TABLES.filter((t) => t.name.startsWith("bars_")),
  validate: (raw, { now }) => validateBars(raw, { now }),
  transform(valid) {
    const { bars, bars5m, bars1h, duplicates } = transformBars(valid);
    return {
      batch: { bars, bars5m, bars1h },
      rows: bars.height,
      duplicates,
      dates: utcDates(bars),
    };
  },
  checks: barChecks(),
  withoutEntities(transformed, entities) {
    const drop = (f: pl.DataFrame) => withoutValues(f, "symbol", entities);
    const bars = drop(transformed.batch.bars);
    return {
      ...transformed,
      batch: {
        bars,
        bars5m: drop(transformed.batch.bars5m),
        bars1h: drop(transformed.batch.bars1h),
      },
      rows: bars.height,
      dates: utcDates(bars),
    };
  },
  load: (tx, batch, { loadId }) => loadBars(tx, batch, { loadId }),
};
