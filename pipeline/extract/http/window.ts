/**
 * Half-open UTC time windows `[start, end)`: validation, chunking into
 * pieces an API accepts, and stable names.
 * @module
 */
import { z } from "zod";

/** A half-open UTC time window `[start, end)`. */
export interface TimeWindow {
  /** First instant included. */
  readonly start: Date;
  /** First instant excluded. */
  readonly end: Date;
}

/** `start`/`end` as ISO text or Dates; `end` must be after `start`. */
export const TimeWindowSchema = z.object({
  start: z.coerce.date(),
  end: z.coerce.date(),
}).refine((w) => w.end.getTime() > w.start.getTime(), {
  path: ["end"],
  message: "end must be after start (the window is [start, end))",
});

const DAY_MS = 86_400_000;

/**
 * `window` cut into consecutive windows of at most `days` days, the first
 * starting at `window.start`, the last ending at `window.end`.
 *
 * @example
 * ```ts
 * import { chunkWindow } from "@pipeline/extract/http/window.ts";
 * chunkWindow({ start: new Date("2026-11-01"), end: new Date("2026-11-10") }, { days: 7 }).length; // 2
 * ```
 */
export function chunkWindow(
  window: TimeWindow,
  options: { days: number },
): TimeWindow[] {
  const step = options.days * DAY_MS;
  if (!(step > 0)) {
    throw new RangeError(`invalid chunk size ${options.days} days`);
  }
  const out: TimeWindow[] = [];
  const end = window.end.getTime();
  for (let t = window.start.getTime(); t < end; t += step) {
    out.push({ start: new Date(t), end: new Date(Math.min(t + step, end)) });
  }
  return out;
}

/** `2026-11-01` at midnight UTC, else `2026-11-01T09:30Z` (seconds if any). */
export function formatInstant(date: Date): string {
  const iso = date.toISOString();
  if (iso.endsWith("T00:00:00.000Z")) return iso.slice(0, 10);
  if (iso.endsWith(":00.000Z")) return `${iso.slice(0, 16)}Z`;
  return `${iso.slice(0, 19)}Z`;
}

/** `2026-11-01..2026-11-08`: the window's start and (excluded) end. */
export function formatWindow(window: TimeWindow): string {
  return `${formatInstant(window.start)}..${formatInstant(window.end)}`;
}

/** Whether `ms` lies in `[window.start, window.end)`. */
export function inWindow(window: TimeWindow, ms: number): boolean {
  return ms >= window.start.getTime() && ms < window.end.getTime();
}

/** `ms` as ISO-8601 UTC to the second: `2026-11-03T14:30:00Z`. */
export function isoSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, 19)}Z` : iso;
}
