/**
 * Tables for readers: `table(frame)` as the last expression of a notebook
 * cell displays a nodejs-polars DataFrame (or an array of row objects) as an
 * HTML table whose instants read in the exchange's time zone
 * (`2026-11-20 09:30 EST`, America/New_York by default) and whose floats are
 * rounded (`36.0805`, small ones to significant digits: `0.0002831`), where
 * the kernel's own display prints `Fri Nov 20 2026 14:30:00 GMT+0000
 * (Coordinated Universal Time)` and `36.080499999999994`.
 *
 * @example A frame of bars
 * ```ts
 * import pl from "nodejs-polars";
 * import { table } from "@tools/nbdev/table.ts";
 * table(pl.DataFrame({ ts: [new Date("2026-11-20T14:30:00Z")], close: [36.0805] }));
 * ```
 * @module
 */

/** Options of {@link table} and {@link formatCell}. */
export interface TableOptions {
  /** Time zone instants are shown in. Default `America/New_York` (NYSE). */
  timeZone?: string;
  /** Decimals of floats of magnitude ≥ 0.01. Default 4. */
  digits?: number;
  /** Significant digits of floats below 0.01. Default 4. */
  significant?: number;
  /** Rows shown; the rest are counted in a caption. Default 50. */
  maxRows?: number;
}

/** How a column's values are formatted. */
export type ColumnKind = "instant" | "date" | "float" | "other";

/** What {@link table} accepts: a DataFrame-like or rows. */
export type TableInput =
  | {
    toRecords(): Record<string, unknown>[];
    getColumns(): { name: string; dtype: unknown }[];
  }
  | readonly Record<string, unknown>[];

const EXCHANGE_TIME_ZONE = "America/New_York";
const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** `2026-11-20 09:30 EST` (seconds only when not zero). */
export function formatInstant(at: Date, timeZone = EXCHANGE_TIME_ZONE): string {
  if (Number.isNaN(at.getTime())) return "Invalid Date";
  const parts = Object.fromEntries(
    zoneFormat(timeZone).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const seconds = parts.second === "00" ? "" : `:${parts.second}`;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds} ${parts.timeZoneName}`;
}

/** A float rounded for reading: `digits` decimals, or `significant` digits below 0.01. */
export function formatFloat(
  value: number,
  options: { digits?: number; significant?: number } = {},
): string {
  const { digits = 4, significant = 4 } = options;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  const text = abs > 0 && abs < 0.01
    ? value.toPrecision(significant)
    : value.toFixed(digits);
  if (/e/i.test(text)) return text;
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** The kind of a polars dtype (`Datetime(ms)`, `Date`, `Float64`, ...). */
export function kindOfDtype(dtype: unknown): ColumnKind {
  const variant = (dtype as { variant?: string } | null)?.variant ??
    String(dtype);
  if (/^Datetime/.test(variant)) return "instant";
  if (/^Date$/.test(variant)) return "date";
  if (/^Float/.test(variant)) return "float";
  return "other";
}

/** One value as text, by its column's kind. */
export function formatCell(
  value: unknown,
  kind: ColumnKind,
  options: TableOptions = {},
): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) {
    return kind === "date"
      ? value.toISOString().slice(0, 10)
      : formatInstant(value, options.timeZone);
  }
  if (typeof value === "number" && (kind === "float" || kind === "other")) {
    return formatFloat(value, options);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** The header and formatted rows of `data`. */
export function tableRows(
  data: TableInput,
  options: TableOptions = {},
): { columns: string[]; rows: string[][]; total: number } {
  const { maxRows = 50 } = options;
  const frame = Array.isArray(data) ? undefined : data as Exclude<
    TableInput,
    readonly Record<string, unknown>[]
  >;
  const records = frame
    ? frame.toRecords()
    : data as readonly Record<string, unknown>[];
  // getColumns(), not `columns`/`schema`: a frame's proxy answers a
  // property named like one of its columns with that column.
  const series = frame?.getColumns();
  const columns = series
    ? series.map((c) => c.name)
    : [...new Set(records.flatMap((r) => Object.keys(r)))];
  const kinds = series
    ? series.map((c) => kindOfDtype(c.dtype))
    : columns.map((): ColumnKind => "other");
  const rows = records.slice(0, maxRows).map((r) =>
    columns.map((c, i) => formatCell(r[c], kinds[i]!, options))
  );
  return { columns, rows, total: records.length };
}

/** The HTML of {@link table}: right-aligned numbers, a caption when cut. */
export function tableHtml(
  data: TableInput,
  options: TableOptions = {},
): string {
  const { columns, rows, total } = tableRows(data, options);
  const numeric = /^-?[\d.]+(e[-+]?\d+)?$/i;
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((row) =>
    `<tr>${
      row.map((v) =>
        `<td${numeric.test(v) ? ' style="text-align:right"' : ""}>${
          escapeHtml(v)
        }</td>`
      ).join("")
    }</tr>`
  ).join("");
  const caption = total > rows.length
    ? `<caption>first ${rows.length} of ${total} rows</caption>`
    : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The plain-text form of {@link table} (aligned columns). */
export function tableText(
  data: TableInput,
  options: TableOptions = {},
): string {
  const { columns, rows, total } = tableRows(data, options);
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => r[i]!.length))
  );
  const line = (cells: string[]) =>
    cells.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [line(columns), line(widths.map((w) => "-".repeat(w)))];
  for (const row of rows) out.push(line(row));
  if (total > rows.length) out.push(`(first ${rows.length} of ${total} rows)`);
  return out.join("\n");
}

/** What the Deno kernel displays: an object with a `Jupyter.display` method. */
export interface Displayable {
  [key: symbol]: () => Record<string, string>;
}

/**
 * `data` displayed as a table for readers (see the module doc): the last
 * expression of a notebook cell.
 */
export function table(
  data: TableInput,
  options: TableOptions = {},
): Displayable {
  return {
    [Symbol.for("Jupyter.display")]: () => ({
      "text/html": tableHtml(data, options),
      "text/plain": tableText(data, options),
    }),
  };
}
