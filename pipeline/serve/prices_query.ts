/**
 * The prices page's parameters and data: symbols checked against the lake's
 * (never spliced into SQL), a date range, and the lake table whose bar width
 * follows the range's length (1m up to a day, 5m up to a week, 1h up to a
 * quarter, 1d beyond).
 * @module
 */
import type { CandleBar, ClosePoint } from "@pipeline/charts/mod.ts";
import type { Reader } from "@pipeline/serve/catalog.ts";
import { PageError } from "@pipeline/serve/page_error.ts";

/** A bar width and the lake view holding it. */
export interface Granularity {
  label: "1m" | "5m" | "1h" | "1d";
  /** The catalogue view (a fixed name, never from the URL). */
  table: string;
  /** Its date partition column, for pruning; none for the monthly bars_1d. */
  partition: string | undefined;
  /** The longest range (days) drawn at this width. */
  maxDays: number;
}

/** The widths, finest first. */
export const GRANULARITIES: readonly Granularity[] = [
  { label: "1m", table: "bars_1m", partition: "date", maxDays: 1 },
  { label: "5m", table: "bars_5m", partition: "date", maxDays: 7 },
  { label: "1h", table: "bars_1h", partition: "date", maxDays: 92 },
  { label: "1d", table: "bars_1d", partition: undefined, maxDays: Infinity },
];

/** The width for a range of `days` calendar days. */
export function granularityFor(days: number): Granularity {
  return GRANULARITIES.find((g) => days <= g.maxDays) ??
    GRANULARITIES.at(-1)!;
}

/** The most symbols compared at once. */
export const MAX_SYMBOLS = 6;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The checked parameters of the prices page. */
export interface PricesParams {
  symbols: string[];
  /** First and last UTC date, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  days: number;
  granularity: Granularity;
  /** Every symbol the lake holds (for the picker). */
  available: string[];
  /** The lake's first and last date. */
  firstDate: string;
  lastDate: string;
}

function parseDate(text: string, name: string): number {
  const ms = DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) {
    throw new PageError(
      400,
      `Bad ${name}: expected a date YYYY-MM-DD, got ${
        JSON.stringify(text.slice(0, 40))
      }.`,
    );
  }
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Reads `symbol` (repeated or comma-separated), `from` and `to` from the URL
 * against what the lake holds; defaults: the lake's first symbol, its last
 * seven days.
 * @throws PageError 400 on a bad date or unknown symbol, 503 without bars.
 */
export async function pricesParams(
  reader: Reader,
  url: URL,
): Promise<PricesParams> {
  const stats = await reader.rows(
    `SELECT list(DISTINCT symbol ORDER BY symbol) AS symbols,
            strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last
     FROM bars_1d`,
  );
  const available = (stats[0]?.symbols as string[] | null) ?? [];
  const firstDate = stats[0]?.first as string | null;
  const lastDate = stats[0]?.last as string | null;
  if (available.length === 0 || !firstDate || !lastDate) {
    throw new PageError(
      503,
      "No bars in the lake yet: run 'deno task etl' first.",
    );
  }
  const asked = url.searchParams.getAll("symbol").flatMap((s) => s.split(","))
    .map((s) => s.trim()).filter((s) => s !== "");
  const symbols = [...new Set(asked.length > 0 ? asked : [available[0]!])];
  for (const symbol of symbols) {
    if (!available.includes(symbol)) {
      throw new PageError(
        404,
        `Unknown symbol ${
          JSON.stringify(symbol.slice(0, 40))
        }: the lake holds ${available.join(", ")}.`,
      );
    }
  }
  if (symbols.length > MAX_SYMBOLS) {
    throw new PageError(400, `At most ${MAX_SYMBOLS} symbols at once.`);
  }
  const toMs = parseDate(url.searchParams.get("to") || lastDate, "to");
  const fromMs = parseDate(
    url.searchParams.get("from") || iso(toMs - 6 * DAY_MS),
    "from",
  );
  if (fromMs > toMs) {
    throw new PageError(400, "Bad range: from is after to.");
  }
  const days = Math.round((toMs - fromMs) / DAY_MS) + 1;
  return {
    symbols,
    from: iso(fromMs),
    to: iso(toMs),
    days,
    granularity: granularityFor(days),
    available,
    firstDate,
    lastDate,
  };
}

/** The bars of `symbol` in the range at the range's width, oldest first. */
export async function readBars(
  reader: Reader,
  params: PricesParams,
  symbol: string,
): Promise<CandleBar[]> {
  const g = params.granularity;
  const prune = g.partition
    ? `AND "${g.partition}" BETWEEN CAST($2 AS DATE) AND CAST($3 AS DATE)`
    : "";
  const rows = await reader.rows(
    `SELECT epoch_ms(ts)::DOUBLE AS t, open, high, low, close,
            volume::DOUBLE AS volume, vwap,
            CASE WHEN count(*) OVER w = 20 THEN avg(close) OVER w END AS ma20
     FROM "${g.table}"
     WHERE symbol = $1 ${prune}
       AND ts >= CAST($2 AS TIMESTAMPTZ)
       AND ts < CAST($3 AS TIMESTAMPTZ) + INTERVAL 1 DAY
     WINDOW w AS (ORDER BY ts ROWS BETWEEN 19 PRECEDING AND CURRENT ROW)
     ORDER BY ts`,
    [symbol, params.from, params.to],
  );
  return rows.map((r) => ({
    ts: new Date(r.t as number),
    open: r.open as number,
    high: r.high as number,
    low: r.low as number,
    close: r.close as number,
    volume: r.volume as number,
    ma20: (r.ma20 as number | null) ?? null,
    vwap: (r.vwap as number | null) ?? null,
  }));
}

/** The closes of several symbols' bars, for the comparison chart. */
export function closes(
  bars: ReadonlyMap<string, readonly CandleBar[]>,
): ClosePoint[] {
  return [...bars].flatMap(([symbol, list]) =>
    list.map((b) => ({ symbol, ts: b.ts, close: b.close }))
  );
}
