/**
 * Readers of flag values: each turns the text after a flag into a setting or
 * throws an `Error` saying what it expected (the parser names the flag).
 * @module
 */
import { parseDuration } from "@pipeline/schedule/duration.ts";

/** A finite number. */
export function number(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) {
    throw new Error(`expected a number, got "${text}"`);
  }
  return n;
}

/** An integer of at least 1. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < 1) {
    throw new Error(`expected a positive integer, got "${text}"`);
  }
  return n;
}

/** Milliseconds of a duration: `250ms`, `30s`, `5m`, `2h`, `1d`, `1h30m`. */
export function duration(text: string): number {
  return parseDuration(text);
}

/** An ISO-8601 time, kept as given (the schemas read it). */
export function isoTime(text: string): string {
  if (Number.isNaN(new Date(text).getTime())) {
    throw new Error(`expected an ISO-8601 time, got "${text}"`);
  }
  return text;
}

/** A UUID. */
export function uuid(text: string): string {
  if (
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(
      text,
    )
  ) {
    throw new Error(`expected a UUID, got "${text}"`);
  }
  return text;
}

/**
 * A comma-separated list, items trimmed, empty ones dropped, each read by
 * `item` (default: kept as text).
 */
export function list<T = string>(
  item: (text: string) => T = (t) => t as T,
): (text: string) => T[] {
  return (text) =>
    text.split(",").map((s) => s.trim()).filter(Boolean).map(item);
}

/** A comma-separated list of symbols, upper-cased. */
export const symbolList: (text: string) => string[] = list((s) =>
  s.toUpperCase()
);

/**
 * `FIELD=COLUMN,...` as an object (`ts=date,close=adjclose` →
 * `{ ts: "date", close: "adjclose" }`); fields lower-cased, columns kept.
 */
export function fieldMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of list()(text)) {
    const eq = item.indexOf("=");
    const field = item.slice(0, eq).trim().toLowerCase();
    const column = item.slice(eq + 1).trim();
    if (eq < 0 || !field || !column) {
      throw new Error(`expected FIELD=COLUMN,..., got "${item}"`);
    }
    if (field in map) throw new Error(`${field} is mapped twice`);
    map[field] = column;
  }
  if (Object.keys(map).length === 0) {
    throw new Error(`expected FIELD=COLUMN,..., got "${text}"`);
  }
  return map;
}
