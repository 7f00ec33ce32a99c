/**
 * The bars dataset: one-minute OHLCV bars of stocks.
 * @module
 */
import type {} from "@pipeline/datasets/bars/tables.ts";
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";
import type { Dataset, Transformed } from "@pipeline/datasets/dataset.ts";
import { utcDates, withoutValues } from "@pipeline/datasets/dataset.ts";
import {
  type BarLimits,
  DEFAULT_BAR_LIMITS,
  validateBars,
} from "@pipeline/validate/bars.ts";
import { transformBarRows } from "@pipeline/transform/bars.ts";
import { type BarBatch, BARS_1M, loadBars } from "@pipeline/load/bars.ts";
import {
  attachExtras,
  quarantineUnsafeExtras,
  withExtras,
} from "@pipeline/datasets/extras.ts";
import { barChecks } from "@pipeline/datasets/bars/checks.ts";
import {
  BARS_1H_ASSET,
  BARS_5M_ASSET,
  BARS_DERIVED,
} from "@pipeline/datasets/bars/derived.ts";
import {
  BARS_BACKFILL_SOURCES,
  BARS_SOURCES,
} from "@pipeline/datasets/bars/sources.ts";
import type { LakeTable } from "@pipeline/datasets/dataset.ts";

/**
 * The plausible bars: not before 1990, not after now + 1 day, prices in
 * 1e-6..1e9 and volumes up to 1e13 (bounds that keep returns, VWAP and SQL
 * aggregates finite). A record outside them is quarantined with the bound
 * it broke.
 */
export const BARS_LIMITS: Readonly<BarLimits> = {
  ...DEFAULT_BAR_LIMITS,
  earliest: new Date("1990-01-01T00:00:00Z"),
  futureToleranceMs: 86_400_000,
};

/**
 * The lake tables of bars, by `ts` and keyed by (symbol, ts): a day per
 * partition, daily bars a month (hundreds of files for twenty years, not
 * 7,000).
 */
export const BARS_LAKE_TABLES: readonly LakeTable[] = Object.freeze([
  Object.freeze({ name: "bars_1m", dateColumn: "ts" }),
  Object.freeze({ name: "bars_5m", dateColumn: "ts" }),
  Object.freeze({ name: "bars_1h", dateColumn: "ts" }),
  Object.freeze({ name: "bars_1d", dateColumn: "ts", granularity: "month" }),
]);

/** Bars: validate, transform, load and snapshot of one-minute bars. */
export const barsDataset: Dataset<BarBatch> = {
  name: "bars",
  entityColumn: "symbol",
  tables: BARS_LAKE_TABLES,
  sources: BARS_SOURCES,
  ownOf: ["synthetic", "file", "alphavantage", "finnhub"],
  backfillSources: BARS_BACKFILL_SOURCES,
  validate(raw, { now }) {
    const unsafe = quarantineUnsafeExtras(raw, {
      fields: BAR_FIELDS,
      entity: "symbol",
    });
    const { valid, quarantine } = validateBars(unsafe.clean, {
      now,
      ...BARS_LIMITS,
    });
    return {
      valid: withExtras(valid, unsafe.clean),
      quarantine: unsafe.quarantine.height === 0
        ? quarantine
        : pl.concat([quarantine, unsafe.quarantine], { how: "vertical" }),
    };
  },
  transform(valid) {
    const result = transformBarRows(valid);
    const { duplicates } = result;
    const bars = attachExtras(result.bars, valid, ["symbol", "ts"]);
    // The buckets as the warehouse sums them, for the quality checks; the
    // load of a first batch takes the same frames (`fromBatch` keeps them).
    const bars5m = BARS_5M_ASSET.fromBatch!(bars);
    const bars1h = BARS_1H_ASSET.fromBatch!(bars);
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
