/**
 * What the NYSE calendar says one-minute bars should look like: how many
 * session minutes fall in a window, and the newest minute there can be.
 * Early closes are not modelled (see `@pipeline/extract/calendar.ts`): a
 * half day expects 390 minutes like any other session.
 * @module
 */
import {
  isNyseTradingDay,
  NYSE_SESSION_MINUTES,
  nyseSession,
  nyseSessions,
} from "@pipeline/extract/calendar.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The number of regular-session minute starts `m` with `start <= m <= end`:
 * 390 per full session in the window, part of one at either edge.
 *
 * @example One full session and the first hour of the next
 * ```ts
 * import { nyseSessionMinutes } from "@pipeline/quality/nyse_minutes.ts";
 * nyseSessionMinutes({
 *   start: new Date("2026-11-19T14:30:00Z"),
 *   end: new Date("2026-11-20T15:29:00Z"),
 * }); // 390 + 60
 * ```
 */
export function nyseSessionMinutes(
  window: { start: Date; end: Date },
): number {
  const startMs = Math.ceil(window.start.getTime() / MINUTE_MS) * MINUTE_MS;
  const endMs = Math.floor(window.end.getTime() / MINUTE_MS) * MINUTE_MS;
  let minutes = 0;
  // A session of local day d opens on UTC day d; one day either side covers
  // every offset.
  const last = Math.floor(endMs / DAY_MS) + 1;
  for (let day = Math.floor(startMs / DAY_MS) - 1; day <= last; day++) {
    if (!isNyseTradingDay(day)) continue;
    const { openMs } = nyseSession(day);
    const lo = Math.max(openMs, startMs);
    const hi = Math.min(openMs + (NYSE_SESSION_MINUTES - 1) * MINUTE_MS, endMs);
    if (hi >= lo) minutes += (hi - lo) / MINUTE_MS + 1;
  }
  return minutes;
}

/**
 * The start of the newest session minute at or before `now`: `now`'s
 * minute during a session, the session's last minute (15:59 local) after
 * its close, the previous session's last minute before the open.
 */
export function latestSessionMinute(now: Date): Date {
  const [session] = nyseSessions({ until: now, count: 1 });
  if (!session) return now;
  const lastMs = session.openMs + (NYSE_SESSION_MINUTES - 1) * MINUTE_MS;
  const nowMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(Math.min(nowMinute, lastMs));
}
