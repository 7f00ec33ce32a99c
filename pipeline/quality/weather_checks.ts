/**
 * The checks of the weather dataset, built from
 * {@link WEATHER_QUALITY_DEFAULTS} and any overrides.
 * @module
 */
import type pl from "nodejs-polars";
import type { WeatherBatch } from "@pipeline/load/weather.ts";
import type { QualityCheck, QualityInput } from "@pipeline/quality/check.ts";
import {
  type QualityOverrides,
  WEATHER_QUALITY_DEFAULTS,
  type WeatherQualityConfig,
  withOverrides,
} from "@pipeline/quality/defaults.ts";
import { rowCountCheck } from "@pipeline/quality/row_count.ts";
import { nullRateCheck } from "@pipeline/quality/null_rate.ts";
import { freshnessCheck } from "@pipeline/quality/freshness.ts";
import { uniqueKeyCheck } from "@pipeline/quality/unique_key.ts";
import { finiteCheck } from "@pipeline/quality/finite.ts";
import { tsWindow } from "@pipeline/quality/_partitions.ts";

const HOUR_MS = 3_600_000;

/** The hours from the first to the last `ts` of a frame, both included. */
export function hoursInWindow(frame: pl.DataFrame): number {
  const { start, end } = tsWindow(frame);
  const first = Math.floor(start.getTime() / HOUR_MS);
  const last = Math.floor(end.getTime() / HOUR_MS);
  return last - first + 1;
}

/**
 * The checks of weather, in order: row count, null rates, freshness, key
 * uniqueness of weather_hourly.
 */
export function weatherChecks(
  overrides: QualityOverrides<WeatherQualityConfig> = {},
): QualityCheck<WeatherBatch>[] {
  const c = withOverrides(WEATHER_QUALITY_DEFAULTS, overrides);
  const entity = "location";
  const frame = "weather_hourly";
  const select = ({ batch }: QualityInput<WeatherBatch>) => batch.weather;
  return [
    rowCountCheck<WeatherBatch>({
      frame,
      select,
      entity,
      expected: hoursInWindow,
      basis: "hours in the batch window",
      ...c.rowCount,
    }),
    ...Object.entries(c.nullRate).map(([column, s]) =>
      nullRateCheck<WeatherBatch>({ frame, select, entity, column, ...s })
    ),
    freshnessCheck<WeatherBatch>({ frame, select, entity, ...c.freshness }),
    uniqueKeyCheck<WeatherBatch>({ frame, select, entity, ...c.uniqueKey }),
    finiteCheck<WeatherBatch>({ frame, select, entity, ...c.finite }),
  ];
}
