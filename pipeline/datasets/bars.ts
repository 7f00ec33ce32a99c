/**
 * The bars dataset: one-minute OHLCV bars of stocks.
 * @module
 */
import type pl from "nodejs-polars";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import { validateBars } from "@pipeline/validate/bars.ts";
import { transformBars } from "@pipeline/transform/bars.ts";
import { type BarBatch, BARS_1M, loadBars } from "@pipeline/load/bars.ts";
import { attachExtras, withExtras } from "@pipeline/datasets/extras.ts";
import { WAREHOUSE_TABLES } from "@pipeline/snapshot/lake.ts";
import { barChecks } from "@pipeline/quality/bar_checks.ts";
import { BARS_DERIVED } from "@pipeline/datasets/bars_derived.ts";

/** Bars: validate, transform, load and snapshot of one-minute bars. */
export const barsDataset: Dataset<BarBatch> = {
  name: "bars",
  entityColumn: "symbol",
  tables: WAREHOUSE_TABLES.filter((t) => t.name.startsWith("bars_")),
  validate(raw, { now }) {
    const { valid, quarantine } = validateBars(raw, { now });
    return { valid: withExtras(valid, raw), quarantine };
  },
  transform(valid) {
    const result = transformBars(valid);
    const { bars5m, bars1h, duplicates } = result;
    const bars = attachExtras(result.bars, valid, ["symbol", "ts"]);
    return {
      batch: { bars, bars5m, bars1h },
      rows: bars.height,
      duplicates,
      dates: utcDates(bars),
    };
  },
  load: (tx, batch, options) => loadBars(tx, batch, options),
  resource: BARS_1M,
  primary: (batch) => batch.bars,
  // No context rows and no trim: the derived columns and tables are
  // recomputed from the warehouse in the load (`BARS_DERIVED`), whatever
  // window the batch covers.
  derived: BARS_DERIVED,
  checks: barChecks(),
  withoutEntities(transformed, entities) {
    return mapBars(
      transformed,
      (f) => withoutValues(f, "symbol", entities),
    );
  },
};

/** The batch with `fn` applied to each of its frames, counts redone. */
function mapBars(
  transformed: Transformed<BarBatch>,
  fn: (frame: pl.DataFrame) => pl.DataFrame,
): Transformed<BarBatch> {
  const bars = fn(transformed.batch.bars);
  return {
    ...transformed,
    batch: {
      bars,
      bars5m: fn(transformed.batch.bars5m),
      bars1h: fn(transformed.batch.bars1h),
    },
    rows: bars.height,
    dates: utcDates(bars),
  };
}
