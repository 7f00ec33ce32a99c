// AUTO-GENERATED from notebooks/01a_extract_calendar.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01a_extract_calendar.ipynb#module
/**
 * A small rule-based NYSE calendar: regular sessions (09:30–16:00
 * America/New_York) on weekdays that are not one of the main full-day
 * holidays, with exchange-local times converted to UTC through
 * `Intl.DateTimeFormat` (so DST is handled without a tz library).
 *
 * Not modelled: early closes (13:00 half days) and one-off closures (national
 * days of mourning, weather).
 *
 * @module
 */

// %% notebooks/01a_extract_calendar.ipynb#nyse-time-zone
/** The exchange time zone. */
export const NYSE_TIME_ZONE = "America/New_York";

// %% notebooks/01a_extract_calendar.ipynb#nyse-open-minute
/** Minutes after local midnight of the regular open (09:30). */
export const NYSE_OPEN_MINUTE = 9 * 60 + 30;

// %% notebooks/01a_extract_calendar.ipynb#nyse-session-minutes
/** Number of one-minute bars in a regular session (09:30–16:00). */
export const NYSE_SESSION_MINUTES = 390;

// %% notebooks/01a_extract_calendar.ipynb#day-ms
const DAY_MS = 86_400_000;

// %% notebooks/01a_extract_calendar.ipynb#session
/** One regular trading session. */
export interface Session {
  /** The exchange-local date, `YYYY-MM-DD`. */
  date: string;
  /** Days since 1970-01-01 of {@link Session.date}. */
  day: number;
  /** The open (09:30 local) as epoch milliseconds. */
  openMs: number;
  /** UTC offset of the exchange during the session, in minutes (`-300`, `-240`). */
  offsetMinutes: number;
}

// %% notebooks/01a_extract_calendar.ipynb#calendar-date
/** A calendar date; `month` is 1–12. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

// %% notebooks/01a_extract_calendar.ipynb#day-number
/** Days since 1970-01-01 of a calendar date (`{ year: 1970, month: 1, day: 1 }` → 0). */
export function dayNumber(date: CalendarDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS);
}

// %% notebooks/01a_extract_calendar.ipynb#day-to-date
/** `YYYY-MM-DD` of a day number. */
export function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

// %% notebooks/01a_extract_calendar.ipynb#weekday
/** Day of week of a day number: 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (day + 4) % 7; // 1970-01-01 was a Thursday
}

// %% notebooks/01a_extract_calendar.ipynb#format-offset
/** A `+hh:mm`/`-hh:mm` suffix for an offset in minutes (`-300` → `-05:00`). */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}

// %% notebooks/01a_extract_calendar.ipynb#formatters
/** Formatters by time zone (building one costs far more than using it). */
const formatters = new Map<string, Intl.DateTimeFormat>();

// %% notebooks/01a_extract_calendar.ipynb#zone-formatter
/** A cached numeric date-time formatter for `timeZone`. */
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

// %% notebooks/01a_extract_calendar.ipynb#zone-offset-minutes
/**
 * The UTC offset of `timeZone` at an instant, in minutes (east positive):
 * `-300` for New York in winter, `-240` in summer.
 */
export function zoneOffsetMinutes(
  instantMs: number,
  timeZone: string = NYSE_TIME_ZONE,
): number {
  const parts = zoneFormatter(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? "0");
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return Math.round((asUtc - wholeSecond) / 60_000);
}

// %% notebooks/01a_extract_calendar.ipynb#zoned-to-utc
/**
 * Epoch milliseconds of a local wall-clock time in `timeZone` (month 1–12).
 * Exact for every wall time that occurs once. Around a DST change the result
 * depends on the zone; in New York a skipped time (02:30 on the March change
 * day) comes out as 06:30Z (01:30 EST) and a repeated one (01:30 on the
 * November change day) as its first occurrence, 05:30Z (EDT). Sessions never
 * fall in those hours.
 */
export function zonedToUtc(
  local: { year: number; month: number; day: number; minute: number },
  timeZone: string = NYSE_TIME_ZONE,
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day) +
    local.minute * 60_000;
  const first = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  return wall - zoneOffsetMinutes(first, timeZone) * 60_000;
}

// %% notebooks/01a_extract_calendar.ipynb#month-weekday
/** Which weekday of a month: the `nth` (1-based) or the last (`nth` -1). */
interface MonthWeekday {
  year: number;
  month: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  nth: number;
}

// %% notebooks/01a_extract_calendar.ipynb#month-weekday-2
/** Day number of the `nth` `weekday` of a month (`nth: -1` for the last). */
function monthWeekday(options: MonthWeekday): number {
  const { year, month, weekday: dow, nth } = options;
  if (nth < 0) {
    const last = dayNumber({ year, month: month + 1, day: 1 }) - 1;
    return last - ((weekday(last) - dow + 7) % 7);
  }
  const first = dayNumber({ year, month, day: 1 });
  return first + ((dow - weekday(first) + 7) % 7) + (nth - 1) * 7;
}

// %% notebooks/01a_extract_calendar.ipynb#easter
/** Day number of Easter Sunday (anonymous Gregorian algorithm). */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber({ year, month, day });
}

// %% notebooks/01a_extract_calendar.ipynb#observed
/** A fixed-date holiday moved to Friday (Saturday) or Monday (Sunday). */
function observed(day: number): number {
  const dow = weekday(day);
  return dow === 6 ? day - 1 : dow === 0 ? day + 1 : day;
}

// %% notebooks/01a_extract_calendar.ipynb#nyse-holidays
/**
 * The main NYSE full-day holidays of a year as day numbers: New Year's Day,
 * Martin Luther King Jr. Day, Presidents' Day, Good Friday, Memorial Day,
 * Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving and
 * Christmas, with weekend observance (Saturday → Friday, Sunday → Monday;
 * a New Year's Day on Saturday is not observed, per NYSE rule 7.2).
 */
export function nyseHolidays(year: number): Set<number> {
  const days = new Set<number>();
  const date = (month: number, day: number) => dayNumber({ year, month, day });
  const monday = (month: number, nth: number) =>
    monthWeekday({ year, month, weekday: 1, nth });
  const newYear = date(1, 1);
  if (weekday(newYear) !== 6) days.add(observed(newYear));
  days.add(monday(1, 3)); // MLK: third Monday of January
  days.add(monday(2, 3)); // Presidents: third Monday of February
  days.add(easter(year) - 2); // Good Friday
  days.add(monday(5, -1)); // Memorial: last Monday of May
  if (year >= 2022) days.add(observed(date(6, 19))); // Juneteenth
  days.add(observed(date(7, 4))); // Independence Day
  days.add(monday(9, 1)); // Labor: first Monday of September
  days.add(monthWeekday({ year, month: 11, weekday: 4, nth: 4 })); // Thanksgiving: fourth Thursday
  days.add(observed(date(12, 25))); // Christmas
  return days;
}

// %% notebooks/01a_extract_calendar.ipynb#is-nyse-trading-day
/** Whether the exchange holds a regular session on a day number. */
export function isNyseTradingDay(day: number): boolean {
  const dow = weekday(day);
  if (dow === 0 || dow === 6) return false;
  const year = new Date(day * DAY_MS).getUTCFullYear();
  return !nyseHolidays(year).has(day);
}

// %% notebooks/01a_extract_calendar.ipynb#nyse-session
/** The session of a day number (which must be a trading day). */
export function nyseSession(day: number): Session {
  const date = dayToDate(day);
  const [year = 0, month = 0, dom = 0] = date.split("-").map(Number);
  const openMs = zonedToUtc({
    year,
    month,
    day: dom,
    minute: NYSE_OPEN_MINUTE,
  });
  const offsetMinutes = zoneOffsetMinutes(openMs);
  return { date, day, openMs, offsetMinutes };
}

// %% notebooks/01a_extract_calendar.ipynb#nyse-sessions-options
/** Options of {@link nyseSessions}. */
export interface NyseSessionsOptions {
  /** Sessions that opened at or before this instant are eligible. */
  until: Date;
  /** How many sessions to return. */
  count: number;
}

// %% notebooks/01a_extract_calendar.ipynb#nyse-sessions
/**
 * The last `count` sessions that opened at or before `until` (the current
 * session included), oldest first.
 *
 * @example The week of 2026-11-20
 * ```ts
 * import { nyseSessions } from "@pipeline/extract/calendar.ts";
 * nyseSessions({ until: new Date("2026-11-20T22:00:00Z"), count: 5 })
 *   .map((s) => s.date); // 2026-11-16 … 2026-11-20
 * ```
 */
export function nyseSessions(options: NyseSessionsOptions): Session[] {
  const { until, count } = options;
  const untilMs = until.getTime();
  const localNow = untilMs + zoneOffsetMinutes(untilMs) * 60_000;
  const sessions: Session[] = [];
  for (
    let day = Math.floor(localNow / DAY_MS);
    sessions.length < count;
    day--
  ) {
    if (!isNyseTradingDay(day)) continue;
    const session = nyseSession(day);
    if (session.openMs <= untilMs) sessions.push(session);
  }
  return sessions.reverse();
}
