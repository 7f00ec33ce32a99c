/**
 * Validation of the join's sides: one record per side message, `symbol`,
 * `ts` (ISO-8601 or epoch seconds/ms, floored to its minute), `side` (the
 * subject it came on: `prices` or `volumes`) and the side's value (`price`
 * above 0, `volume` at or above 0, both finite and bounded). A record that
 * breaks a rule is quarantined with the field and the reason.
 * @module
 */
import pl from "nodejs-polars";
import { SymbolSchema } from "@pipeline/bars.ts";
import { PRICE_VOLUME_SIDES, type PriceVolumeSide } from "./sides.ts";

/** The valid frame: one row per side, in source order. */
export const SIDE_COLUMNS = [
  "symbol",
  "ts",
  "side",
  "value",
  "record",
] as const;

/** The quarantine frame's columns (as every dataset's). */
const QUARANTINE_COLUMNS = [
  "record",
  "symbol",
  "ts",
  "field",
  "reason",
  "raw",
] as const;

/** The plausible values of each side. */
const LIMITS = {
  prices: { field: "price", min: 1e-6, max: 1e9, open: true },
  volumes: { field: "volume", min: 0, max: 1e13, open: false },
} as const satisfies Record<
  PriceVolumeSide,
  { field: string; min: number; max: number; open: boolean }
>;

const EARLIEST = Date.parse("1990-01-01T00:00:00Z");
const MINUTE = 60_000;

/** `text` as epoch ms (seconds below 1e10), or NaN. */
function parseTs(text: string): number {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return n < 1e10 ? n * 1000 : n;
  }
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
      .test(text)
  ) {
    return Number.NaN;
  }
  return Date.parse(text);
}

/**
 * Splits a raw frame of side records into valid rows and quarantined
 * records (one reason each: the first rule broken).
 */
export function validateSides(
  raw: pl.DataFrame,
  { now }: { now: Date },
): { valid: pl.DataFrame; quarantine: pl.DataFrame } {
  const valid: Record<string, unknown>[] = [];
  const bad: Record<string, string | null>[] = [];
  const text = (row: Record<string, unknown>, f: string) => {
    const v = row[f];
    return v === null || v === undefined ? null : String(v);
  };
  for (const row of raw.height > 0 ? raw.toRecords() : []) {
    const record = text(row, "record") ?? "";
    const symbol = text(row, "symbol");
    const tsText = text(row, "ts");
    const reject = (field: string, reason: string, value: string | null) =>
      bad.push({
        record,
        symbol,
        ts: tsText,
        field,
        reason: `${field}: ${reason}`,
        raw: value === null ? null : value.slice(0, 200),
      });
    const side = text(row, "side");
    if (
      side === null || !(PRICE_VOLUME_SIDES as readonly string[]).includes(side)
    ) {
      reject("side", "expected prices or volumes", side);
      continue;
    }
    if (symbol === null || !SymbolSchema.safeParse(symbol).success) {
      reject("symbol", "expected a symbol like AAPL", symbol);
      continue;
    }
    const ms = tsText === null ? Number.NaN : parseTs(tsText);
    if (!Number.isFinite(ms)) {
      reject("ts", "expected ISO-8601 with an offset, or epoch", tsText);
      continue;
    }
    if (ms < EARLIEST || ms > now.getTime() + 86_400_000) {
      reject("ts", "outside 1990-01-01 .. now + 1 day", tsText);
      continue;
    }
    const limit = LIMITS[side as PriceVolumeSide];
    const valueText = text(row, limit.field);
    const value = valueText === null || valueText.trim() === ""
      ? Number.NaN
      : Number(valueText);
    const low = limit.open ? value > limit.min : value >= limit.min;
    if (!Number.isFinite(value) || !low || value > limit.max) {
      reject(
        limit.field,
        `expected a number in ${
          limit.open ? "(" : "["
        }${limit.min}, ${limit.max}]`,
        valueText,
      );
      continue;
    }
    valid.push({
      symbol,
      ts: new Date(ms - (ms % MINUTE)),
      side,
      value,
      record,
    });
  }
  return {
    valid: pl.DataFrame({
      symbol: pl.Series("symbol", valid.map((r) => r.symbol), pl.Utf8),
      ts: pl.Series(
        "ts",
        valid.map((r) => r.ts as Date),
        pl.Datetime("ms", "UTC"),
      ),
      side: pl.Series("side", valid.map((r) => r.side), pl.Utf8),
      value: pl.Series("value", valid.map((r) => r.value), pl.Float64),
      record: pl.Series("record", valid.map((r) => r.record), pl.Utf8),
    }),
    quarantine: pl.DataFrame(
      Object.fromEntries(QUARANTINE_COLUMNS.map((c) => [
        c,
        pl.Series(c, bad.map((r) => r[c] ?? null), pl.Utf8),
      ])),
    ),
  };
}
