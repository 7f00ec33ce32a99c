/**
 * Whether the last bars belong to a session still trading: the exchange
 * date of `now` is a trading day, the market has opened and not yet closed
 * (16:00 New York), and the bars reach into that session.
 * @module
 */
import {
  dayNumber,
  isNyseTradingDay,
  NYSE_SESSION_MINUTES,
  nyseSession,
} from "@pipeline/extract/calendar.ts";

/** The open of the session still trading at `now`, if one is. */
export function openSessionStart(now: Date): Date | undefined {
  const [y, m, d] = new Intl.DateTimeFormat("en-CA", {
    timeZone: "America/New_York",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now).split("-").map(Number);
  const day = dayNumber({ year: y!, month: m!, day: d! });
  if (!isNyseTradingDay(day)) return undefined;
  const session = nyseSession(day);
  const closeMs = session.openMs + NYSE_SESSION_MINUTES * 60_000;
  const t = now.getTime();
  return t >= session.openMs && t < closeMs
    ? new Date(session.openMs)
    : undefined;
}

/**
 * Where to shade the unfinished session on a chart whose last bar starts at
 * `lastBar`: the open of the session trading at `now`, when the bars reach
 * it.
 */
export function unfinishedFrom(
  lastBar: Date | undefined,
  now: Date,
): Date | undefined {
  const open = openSessionStart(now);
  return open && lastBar && lastBar >= open ? open : undefined;
}
