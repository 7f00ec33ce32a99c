/**
 * Local wall-clock time in a named IANA time zone to UTC, with `Intl` only
 * (no time-zone library), correct across daylight-saving changes.
 * @module
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `Intl` knows `timeZone` (`US/Eastern`, `America/New_York`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `utcMs` in `timeZone`, as if they were UTC, in ms. */
function wallClockMs(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return Date.UTC(
    parts.year ?? NaN,
    (parts.month ?? NaN) - 1,
    parts.day ?? NaN,
    parts.hour ?? NaN,
    parts.minute ?? NaN,
    parts.second ?? NaN,
  );
}

/**
 * The offset of `timeZone` from UTC at instant `utcMs`, in ms (EDT: -4 h).
 * Cached per 15-minute slot: offsets only change on such boundaries.
 */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const slot = Math.floor(utcMs / 900_000);
  const key = `${timeZone}|${slot}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const at = slot * 900_000;
    offset = wallClockMs(timeZone, at) - at;
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The UTC instant (ms) of wall-clock time `local` (`YYYY-MM-DD HH:MM[:SS]`)
 * in `timeZone`, or `undefined` if `local` is malformed or does not exist
 * there (the hour skipped when clocks spring forward). A time that occurs
 * twice (the hour repeated when clocks fall back) is read as the first,
 * daylight-saving, occurrence. Throws RangeError for an unknown time zone.
 *
 * @example US/Eastern on both sides of a change
 * ```ts
 * import { zonedLocalToUtc } from "@pipeline/extract/http/zoned_time.ts";
 * new Date(zonedLocalToUtc("2026-03-06 09:30:00", "US/Eastern")!).toISOString(); // 14:30Z (EST)
 * new Date(zonedLocalToUtc("2026-03-09 09:30:00", "US/Eastern")!).toISOString(); // 13:30Z (EDT)
 * ```
 */
export function zonedLocalToUtc(
  local: string,
  timeZone: string,
): number | undefined {
  const m = LOCAL.exec(local);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0"] = m;
  const asUtc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
  );
  const check = new Date(asUtc);
  if (
    check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) || check.getUTCSeconds() !== Number(s)
  ) {
    return undefined; // 2026-02-30, 24:00, 10:61 ...
  }
  // The offset just before, then just after, a change: try the earlier
  // (larger) offset first so an ambiguous time resolves to its first
  // occurrence, and keep a candidate only if it reads back as `local`.
  const before = zoneOffsetMs(timeZone, asUtc - 86_400_000);
  const after = zoneOffsetMs(timeZone, asUtc + 86_400_000);
  const candidates = before >= after ? [before, after] : [after, before];
  for (const offset of candidates) {
    const utc = asUtc - offset;
    if (utc + zoneOffsetMs(timeZone, utc) === asUtc) return utc;
  }
  return undefined;
}
