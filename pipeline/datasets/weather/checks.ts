/**
 * The checks of the weather dataset, built from
 * {@link WEATHER_QUALITY_DEFAULTS} and any overrides.
 * @module
 */
import type pl from "nodejs-polars";
import type { WeatherBatch } from "@pipeline/load/weather.ts";
import type { QualityCheck, QualityInput } from "@pipeline/quality/check.ts";
import {
  type FreshnessSetting,
  HOUR_MS,
  type NullRateSetting,
  type QualityOverrides,
  REQUIRED,
  type RowCountSetting,
  type SeveritySetting,
  withOverrides,
} from "@pipeline/quality/settings.ts";
import { rowCountCheck } from "@pipeline/quality/row_count.ts";
import { nullRateCheck } from "@pipeline/quality/null_rate.ts";
import { freshnessCheck } from "@pipeline/quality/freshness.ts";
import { uniqueKeyCheck } from "@pipeline/quality/unique_key.ts";
import { finiteCheck } from "@pipeline/quality/finite.ts";
import { tsWindow } from "@pipeline/quality/_partitions.ts";

/** The checks of the weather dataset. */
export interface WeatherQualityConfig {
  /** Rows per location vs the hours in the batch window. */
  rowCount: RowCountSetting;
  /** Null rate per column of weather_hourly. */
  nullRate: Readonly<Record<string, NullRateSetting>>;
  /** Newest hour vs the run's clock (forecasts lie ahead: lag 0). */
  freshness: FreshnessSetting;
  /** (location, ts) uniqueness of weather_hourly. */
  uniqueKey: SeveritySetting;
  /** NaN or infinite numbers in weather_hourly (measurements, 24-hour mean and sum). */
  finite: SeveritySetting;
}

/** The default checks of weather. */
export const WEATHER_QUALITY_DEFAULTS: WeatherQualityConfig = {
  rowCount: { severity: "warn", minShare: 0.9 },
  nullRate: {
    location: REQUIRED,
    ts: REQUIRED,
    // Open-Meteo sends null for an hour it has no value for; a few are
    // normal, many mean a broken feed or a wrong variable.
    temperature_2m: { severity: "warn", maxRate: 0.1 },
    relative_humidity_2m: { severity: "warn", maxRate: 0.1 },
    precipitation: { severity: "warn", maxRate: 0.1 },
    wind_speed_10m: { severity: "warn", maxRate: 0.1 },
  },
  freshness: { severity: "warn", maxLagMs: 6 * HOUR_MS },
  uniqueKey: { severity: "blocking" },
  finite: { severity: "blocking" },
};

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
