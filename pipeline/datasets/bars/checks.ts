/**
 * The checks of the bars dataset, built from {@link BAR_QUALITY_DEFAULTS}
 * and any overrides.
 * @module
 */
import type pl from "nodejs-polars";
import type { BarBatch } from "@pipeline/load/bars.ts";
import type { QualityCheck, QualityInput } from "@pipeline/quality/check.ts";
import {
  type FreshnessSetting,
  HOUR_MS,
  type MonotonicSetting,
  type NullRateSetting,
  type QualityOverrides,
  REQUIRED,
  type RowCountSetting,
  type SeveritySetting,
  withOverrides,
} from "@pipeline/quality/settings.ts";
import { BARS_MA_WINDOW } from "@pipeline/transform/bars.ts";
import { rowCountCheck } from "@pipeline/quality/row_count.ts";
import { nullRateCheck } from "@pipeline/quality/null_rate.ts";
import { freshnessCheck } from "@pipeline/quality/freshness.ts";
import { monotonicCheck } from "@pipeline/quality/monotonic.ts";
import { ohlcCheck } from "@pipeline/quality/ohlc.ts";
import { uniqueKeyCheck } from "@pipeline/quality/unique_key.ts";
import { finiteCheck } from "@pipeline/quality/finite.ts";
import { tsWindow } from "@pipeline/quality/_partitions.ts";
import {
  latestSessionMinute,
  nyseSessionMinutes,
} from "@pipeline/quality/nyse_minutes.ts";

/** The checks of the bars dataset. */
export interface BarQualityConfig {
  /** Rows of bars_1m per symbol vs NYSE session minutes in the batch window. */
  rowCount: RowCountSetting;
  /** Null rate per column of bars_1m. */
  nullRate: Readonly<Record<string, NullRateSetting>>;
  /** Newest bar vs the last session minute at the run's clock. */
  freshness: FreshnessSetting;
  /** Timestamps per symbol in arrival order. */
  monotonic: MonotonicSetting;
  /** OHLC consistency of bars_1m, bars_5m and bars_1h. */
  ohlc: SeveritySetting;
  /** (symbol, ts) uniqueness of bars_1m, bars_5m and bars_1h. */
  uniqueKey: SeveritySetting;
  /** NaN or infinite numbers in bars_1m, bars_5m and bars_1h. */
  finite: SeveritySetting;
}

/** The default checks of bars. */
export const BAR_QUALITY_DEFAULTS: BarQualityConfig = {
  rowCount: { severity: "warn", minShare: 0.9 },
  nullRate: {
    symbol: REQUIRED,
    ts: REQUIRED,
    open: REQUIRED,
    high: REQUIRED,
    low: REQUIRED,
    close: REQUIRED,
    volume: REQUIRED,
    // Null for each symbol's first bar of the batch.
    ret: { severity: "warn", maxRate: 0, leading: 1 },
    // Null until a symbol has a full window of bars in the batch.
    ma_close_20: { severity: "warn", maxRate: 0, leading: BARS_MA_WINDOW - 1 },
    ma_volume_20: { severity: "warn", maxRate: 0, leading: BARS_MA_WINDOW - 1 },
    // Null while a session's cumulative volume is 0 (rare, at the open).
    vwap: { severity: "warn", maxRate: 0.01 },
  },
  freshness: { severity: "warn", maxLagMs: HOUR_MS },
  monotonic: { severity: "warn", maxSteps: 0 },
  ohlc: { severity: "blocking" },
  uniqueKey: { severity: "blocking" },
  finite: { severity: "blocking" },
};

type Input = QualityInput<BarBatch>;

/** The frames of a bar batch, by table name. */
const FRAMES: readonly [string, (input: Input) => pl.DataFrame][] = [
  ["bars_1m", ({ batch }) => batch.bars],
  ["bars_5m", ({ batch }) => batch.bars5m],
  ["bars_1h", ({ batch }) => batch.bars1h],
];

/**
 * The checks of bars, in order: row count, null rates, freshness,
 * monotonic timestamps, then OHLC consistency, key uniqueness and finite
 * numbers of each frame to load.
 *
 * @example Row counts below 90 % block the symbol's load
 * ```ts
 * import { barChecks } from "@pipeline/datasets/bars/checks.ts";
 * const checks = barChecks({ rowCount: { severity: "blocking" } });
 * checks[0]!.spec.severity; // "blocking"
 * ```
 */
export function barChecks(
  overrides: QualityOverrides<BarQualityConfig> = {},
): QualityCheck<BarBatch>[] {
  const c = withOverrides(BAR_QUALITY_DEFAULTS, overrides);
  const entity = "symbol";
  const bars = ({ batch }: Input) => batch.bars;
  return [
    rowCountCheck<BarBatch>({
      frame: "bars_1m",
      select: bars,
      entity,
      expected: (frame) => nyseSessionMinutes(tsWindow(frame)),
      basis: "NYSE session minutes in the batch window",
      ...c.rowCount,
    }),
    ...Object.entries(c.nullRate).map(([column, s]) =>
      nullRateCheck<BarBatch>({
        frame: "bars_1m",
        select: bars,
        entity,
        column,
        ...s,
      })
    ),
    freshnessCheck<BarBatch>({
      frame: "bars_1m",
      select: bars,
      entity,
      latestExpected: latestSessionMinute,
      basis: "the last NYSE session minute at the run's clock",
      ...c.freshness,
    }),
    monotonicCheck<BarBatch>({
      frame: "the extracted bars",
      select: ({ valid }) => valid,
      entity,
      ...c.monotonic,
    }),
    ...FRAMES.map(([frame, select]) =>
      ohlcCheck<BarBatch>({ frame, select, entity, ...c.ohlc })
    ),
    ...FRAMES.map(([frame, select]) =>
      uniqueKeyCheck<BarBatch>({ frame, select, entity, ...c.uniqueKey })
    ),
    ...FRAMES.map(([frame, select]) =>
      finiteCheck<BarBatch>({ frame, select, entity, ...c.finite })
    ),
  ];
}
