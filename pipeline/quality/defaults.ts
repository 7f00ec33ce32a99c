/**
 * The default thresholds and severities of every dataset's checks, in one
 * place. A dataset takes them as they are or overrides some
 * (`barChecks({ rowCount: { severity: "blocking" } })`).
 * @module
 */
import type { Severity } from "@pipeline/quality/check.ts";
import { BARS_MA_WINDOW } from "@pipeline/transform/bars.ts";

/** Row count: a share of the expected rows. */
export interface RowCountSetting {
  severity: Severity;
  /** The share of the expected rows a partition needs. */
  minShare: number;
}

/** Null rate of one column. */
export interface NullRateSetting {
  severity: Severity;
  /** The highest share of nulls that passes. */
  maxRate: number;
  /** Leading rows per partition not counted (a derived column's warm-up). */
  leading?: number;
}

/** Freshness: the lag of the newest timestamp. */
export interface FreshnessSetting {
  severity: Severity;
  /** The largest lag that passes, in ms. */
  maxLagMs: number;
}

/** Monotonic timestamps in arrival order. */
export interface MonotonicSetting {
  severity: Severity;
  /** Steps against the order that still pass. */
  maxSteps: number;
}

/** A check with no threshold: OHLC consistency, key uniqueness. */
export interface SeveritySetting {
  severity: Severity;
}

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

const HOUR_MS = 3_600_000;

/**
 * A column the table declares NOT NULL: one null would fail the whole
 * load's transaction, so it blocks its partition instead.
 */
const REQUIRED: NullRateSetting = { severity: "blocking", maxRate: 0 };

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

/** Overrides of a config: any setting, any field of it. */
export type QualityOverrides<C> = {
  [K in keyof C]?: C[K] extends Readonly<Record<string, NullRateSetting>>
    ? Readonly<Record<string, Partial<NullRateSetting>>>
    : Partial<C[K]>;
};

/** `defaults` with `overrides` applied, one level deep (null rates per column). */
export function withOverrides<C extends object>(
  defaults: C,
  overrides: QualityOverrides<C>,
): C {
  const out: Record<string, unknown> = { ...defaults as object };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const base = (defaults as Record<string, unknown>)[key];
    if (key === "nullRate") {
      const columns: Record<string, unknown> = { ...(base as object) };
      for (const [column, setting] of Object.entries(value as object)) {
        columns[column] = { ...(columns[column] as object ?? {}), ...setting };
      }
      out[key] = columns;
    } else {
      out[key] = { ...(base as object), ...(value as object) };
    }
  }
  return out as C;
}
