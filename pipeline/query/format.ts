/**
 * How query results print: an aligned table for people (timestamps in a
 * time zone with their offset, floats rounded), CSV and JSON for programs
 * (timestamps ISO-8601 with offset, floats exact).
 * @module
 */
import { DuckDBTypeId } from "@duckdb/node-api";

export { QUERY_FORMATS, type QueryFormat } from "@pipeline/query/options.ts";

/** What a column holds, as far as printing cares. */
export type ColumnKind =
  | "timestamptz"
  | "timestamp"
  | "date"
  | "float"
  | "integer"
  | "boolean"
  | "text"
  | "other";

/** A result column. */
export interface ResultColumn {
  name: string;
  /** DuckDB's name of its type (`TIMESTAMP WITH TIME ZONE`, `DOUBLE`). */
  type: string;
  kind: ColumnKind;
}

/** A statement's result: its columns and rows (DuckDB's JS values). */
export interface QueryResult {
  columns: ResultColumn[];
  rows: unknown[][];
}

/** The {@link ColumnKind} of a DuckDB type id. */
export function columnKind(typeId: DuckDBTypeId): ColumnKind {
  switch (typeId) {
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "timestamptz";
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return "timestamp";
    case DuckDBTypeId.DATE:
      return "date";
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return "float";
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return "integer";
    case DuckDBTypeId.BOOLEAN:
      return "boolean";
    case DuckDBTypeId.VARCHAR:
      return "text";
    default:
      return "other";
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Cached formatters per time zone. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock fields and UTC offset of `date` in `timeZone`.
 *
 * @throws RangeError for an unknown time zone.
 */
function inZone(date: Date, timeZone: string) {
  let fmt = zoneFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    });
    zoneFormats.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? "GMT").replace(/^GMT/, "") ||
    "+00:00";
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
    offset,
  };
}

/** `.123` when `date` has milliseconds, else nothing. */
function millis(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? "" : `.${pad(ms, 3)}`;
}

/**
 * A `TIMESTAMPTZ` value in `timeZone` with its offset: `2026-11-27
 * 09:30:00-05:00` (`iso`: `2026-11-27T09:30:00-05:00`, `Z` for UTC).
 */
export function formatTimestamptz(
  date: Date,
  timeZone: string,
  iso = false,
): string {
  const { day, time, offset } = inZone(date, timeZone);
  const off = iso && offset === "+00:00" ? "Z" : offset;
  return `${day}${iso ? "T" : " "}${time}${millis(date)}${off}`;
}

/** A `TIMESTAMP` (no zone) value: its UTC fields, `2026-11-27 14:30:00`. */
export function formatTimestamp(date: Date, iso = false): string {
  const text = date.toISOString().slice(0, 19).replace("T", iso ? "T" : " ");
  return `${text}${millis(date)}`;
}

/**
 * A float as people read it: at most four decimals, more for small numbers
 * so at least six significant digits stay, trailing zeros dropped
 * (`36.080499999999994` → `36.0805`, `0.00056980057` → `0.000569801`).
 */
export function roundFloat(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const magnitude = Math.floor(Math.log10(Math.abs(x))) + 1;
  const decimals = Math.min(12, Math.max(4, 6 - magnitude));
  const text = x.toFixed(decimals);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** JSON.stringify that writes bigints as numbers (or strings when too big). */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      typeof v === "bigint"
        ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v))
        : v,
  );
}

/** How values are written: for people or for programs. */
interface CellStyle {
  timeZone: string;
  /** People: rounded floats, `NULL`, one-line text. */
  human: boolean;
}

/** A value as text (`null` stays null for JSON). */
function cellText(
  value: unknown,
  column: ResultColumn,
  style: CellStyle,
): string | null {
  if (value === null || value === undefined) return null;
  const iso = !style.human;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return String(value);
    if (column.kind === "timestamptz") {
      return formatTimestamptz(value, style.timeZone, iso);
    }
    if (column.kind === "date") return value.toISOString().slice(0, 10);
    return formatTimestamp(value, iso);
  }
  if (typeof value === "number") {
    return style.human && column.kind === "float"
      ? roundFloat(value)
      : String(value);
  }
  if (typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "string") {
    return style.human ? value.replace(/\r?\n/g, "\\n") : value;
  }
  return toJson(value);
}

/** Longest cell printed in a table; longer text is cut with `…`. */
const MAX_CELL = 80;

/** Whether a column is right-aligned in a table. */
function numeric(column: ResultColumn): boolean {
  return column.kind === "float" || column.kind === "integer";
}

/**
 * An aligned text table: header, a rule, one line per row (numbers right,
 * the rest left), and a row count.
 */
export function formatTable(result: QueryResult, timeZone: string): string {
  const { columns, rows } = result;
  if (columns.length === 0) return "OK\n";
  const style = { timeZone, human: true };
  const cells = rows.map((row) =>
    columns.map((c, i) => {
      const text = cellText(row[i], c, style) ?? "NULL";
      return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
    })
  );
  const widths = columns.map((c, i) =>
    Math.max(c.name.length, ...cells.map((r) => r[i]!.length))
  );
  const line = (values: string[]) =>
    values.map((v, i) =>
      numeric(columns[i]!) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)
    ).join("  ").trimEnd();
  const out = [
    line(columns.map((c) => c.name)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((r) => line(r)),
    `(${rows.length} ${rows.length === 1 ? "row" : "rows"})`,
  ];
  return out.join("\n") + "\n";
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
function csvField(text: string | null): string {
  if (text === null) return "";
  return /[",\r\n]/.test(text) || text === ""
    ? `"${text.replaceAll('"', '""')}"`
    : text;
}

/** RFC 4180 CSV with a header line; NULL is an empty field. */
export function formatCsv(result: QueryResult, timeZone: string): string {
  const style = { timeZone, human: false };
  const lines = [
    result.columns.map((c) => csvField(c.name)).join(","),
    ...result.rows.map((row) =>
      result.columns.map((c, i) => csvField(cellText(row[i], c, style)))
        .join(",")
    ),
  ];
  return lines.join("\n") + "\n";
}

/** The JSON value of a cell: numbers, booleans and null as such. */
function jsonValue(
  value: unknown,
  column: ResultColumn,
  style: CellStyle,
): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") {
    return Number.isFinite(value) || typeof value === "boolean"
      ? value
      : String(value);
  }
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  }
  if (value instanceof Date) return cellText(value, column, style);
  if (typeof value === "string") return value;
  return JSON.parse(toJson(value));
}

/** A JSON array with one object per row, one row per line. */
export function formatJson(result: QueryResult, timeZone: string): string {
  const style = { timeZone, human: false };
  if (result.rows.length === 0) return "[]\n";
  const rows = result.rows.map((row) =>
    JSON.stringify(
      Object.fromEntries(
        result.columns.map((c, i) => [c.name, jsonValue(row[i], c, style)]),
      ),
    )
  );
  return `[\n${rows.join(",\n")}\n]\n`;
}
