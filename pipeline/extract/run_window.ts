/**
 * The extraction window of a run: `--start/--end`, `--month`, or the last
 * days up to today.
 * @module
 */
import { alphaVantageMonthWindow } from "@pipeline/extract/alphavantage.ts";
import type { RunConfig } from "@pipeline/config.ts";

const DAY_MS = 86_400_000;

/**
 * The window [start, end) of an HTTP source: `--start/--end`, else
 * `--month` (for Alpha Vantage its US/Eastern month), else the last 7 UTC
 * days up to today's midnight (Alpha Vantage: the current month).
 */
export function windowFor(
  config: RunConfig,
  now: Date,
): { start: Date; end: Date } {
  if (config.month) {
    if (config.source === "alphavantage") {
      return alphaVantageMonthWindow(config.month);
    }
    const [y, m] = config.month.split("-").map(Number) as [number, number];
    return {
      start: new Date(Date.UTC(y, m - 1, 1)),
      end: new Date(Date.UTC(y, m, 1)),
    };
  }
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  if (config.source === "alphavantage" && !config.start && !config.end) {
    return alphaVantageMonthWindow(now.toISOString().slice(0, 7));
  }
  const end = config.end ?? new Date(today + DAY_MS);
  const start = config.start ?? new Date(end.getTime() - 7 * DAY_MS);
  return { start, end };
}
