/**
 * The checks of the bars dataset, built from {@link BAR_QUALITY_DEFAULTS}
 * and any overrides.
 * @module
 */
import type pl from "nodejs-polars";
import type { BarBatch } from "@pipeline/load/bars.ts";
import type { QualityCheck, QualityInput } from "@pipeline/quality/check.ts";
import {
  BAR_QUALITY_DEFAULTS,
  type BarQualityConfig,
  type QualityOverrides,
  withOverrides,
} from "@pipeline/quality/defaults.ts";
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
 * import { barChecks } from "@pipeline/quality/bar_checks.ts";
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
