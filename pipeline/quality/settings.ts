/**
 * The settings of a dataset's checks (severity and threshold per check)
 * and how overrides apply to a dataset's defaults, which each dataset
 * declares with its checks (`barChecks({ rowCount: { severity: "blocking" } })`).
 * @module
 */
import type { Severity } from "@pipeline/quality/check.ts";

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

/** An hour in milliseconds, for freshness lags. */
export const HOUR_MS = 3_600_000;

/**
 * A column the table declares NOT NULL: one null would fail the whole
 * load's transaction, so it blocks its partition instead.
 */
export const REQUIRED: NullRateSetting = { severity: "blocking", maxRate: 0 };

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
