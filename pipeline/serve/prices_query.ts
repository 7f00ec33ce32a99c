/**
 * The prices page's parameters and data: symbols checked against the lake's
 * (never spliced into SQL), a date range, and the lake table whose bar width
 * follows the range's length (1m up to a day, 5m up to a week, 1h up to a
 * quarter, 1d beyond). The bars are merged in DuckDB into the finest
 * candle width that gives at most {@link MAX_CANDLES} candles, the most the
 * chart can draw: a day of 1m bars is drawn as 2m candles.
 * @module
 */
import type { CandleBar, ClosePoint } from "@pipeline/charts/mod.ts";
import type { Reader } from "@pipeline/serve/catalog.ts";
import { PageError } from "@pipeline/serve/page_error.ts";
import { sqlString } from "@pipeline/snapshot/sql_string.ts";

/** A bar width and the lake view holding it. */
export interface Granularity {
  label: "1m" | "5m" | "1h" | "1d";
  /** The catalogue view (a fixed name, never from the URL). */
  table: string;
  /** Its date partition column, for pruning; none for the monthly bars_1d. */
  partition: string | undefined;
  /** The longest range (days) drawn at this width. */
  maxDays: number;
  /**
   * What its `vwap` is: the session's VWAP up to the bar (`session`, 1m
   * bars) or the bar's own (`bar`).
   */
  vwap: "session" | "bar";
}

/** The widths, finest first. */
export const GRANULARITIES: readonly Granularity[] = [
  {
    label: "1m",
    table: "bars_1m",
    partition: "date",
    maxDays: 1,
    vwap: "session",
  },
  { label: "5m", table: "bars_5m", partition: "date", maxDays: 7, vwap: "bar" },
  {
    label: "1h",
    table: "bars_1h",
    partition: "date",
    maxDays: 92,
    vwap: "bar",
  },
  {
    label: "1d",
    table: "bars_1d",
    partition: undefined,
    maxDays: Infinity,
    vwap: "bar",
  },
];

/**
 * The most candles drawn: the candle chart's plot area (960 px less its
 * margins, about 900 px) at 3 px a candle.
 */
export const MAX_CANDLES = 300;

/** The candle widths bars are merged into, finest first (DuckDB intervals). */
export const CANDLE_WIDTHS: readonly (readonly [string, string])[] = [
  ["1m", "1 minute"],
  ["2m", "2 minutes"],
  ["5m", "5 minutes"],
  ["10m", "10 minutes"],
  ["15m", "15 minutes"],
  ["30m", "30 minutes"],
  ["1h", "1 hour"],
  ["2h", "2 hours"],
  ["4h", "4 hours"],
  ["1d", "1 day"],
  ["1w", "7 days"],
  ["1mo", "1 month"],
];

/** The candles in the moving average of the close. */
const MA_WINDOW = 20;

/** The bars of one symbol as drawn, and their width. */
export interface DrawnBars {
  /** The candle width (`2m`, `1h`, `1w`...), at least the table's. */
  width: string;
  /** Oldest first. */
  bars: CandleBar[];
}

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
 * against what the lake holds (read once per catalogue); defaults: the
 * lake's first symbol, its last seven days.
 * @throws PageError 400 on a bad date or unknown symbol, 503 without bars.
 */
export async function pricesParams(
  reader: Reader,
  url: URL,
): Promise<PricesParams> {
  // Only a new catalogue changes them: worked out once per catalogue file.
  const stats = await reader.memo("prices:lake", () =>
    reader.rows(
      `SELECT list(DISTINCT symbol ORDER BY symbol) AS symbols,
              strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last
       FROM bars_1d`,
    ));
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

/** `(VALUES (i, INTERVAL ...), ...) AS widths(i, width)` of the widths. */
const WIDTHS_SQL = `(VALUES ${
  CANDLE_WIDTHS.map(([, interval], i) => `(${i}, INTERVAL '${interval}')`)
    .join(", ")
}) AS widths(i, width)`;

/**
 * SQL choosing the index of the finest width from `finest` to `coarsest`
 * giving at most `$4` candles of the rows of `src` (the coarsest when none
 * does), counting the candles of every width in one pass.
 */
function pickWidthSql(finest: number, coarsest: number): string {
  const candidates = CANDLE_WIDTHS.slice(finest, coarsest + 1);
  const counts = candidates.map(([, interval], k) =>
    `count(DISTINCT time_bucket(INTERVAL '${interval}', ts)) AS n${k}`
  ).join(", ");
  const cases = candidates.slice(0, -1).map((_, k) =>
    `WHEN n${k} <= $4 THEN ${finest + k}`
  ).join(" ");
  return cases === ""
    ? `SELECT ${finest} AS i`
    : `SELECT CASE ${cases} ELSE ${coarsest} END AS i FROM (SELECT ${counts} FROM src)`;
}

/** The catalogue's lake view over day partitions, as DuckDB gives it back. */
const DAY_VIEW =
  /^CREATE VIEW \S+ AS (SELECT \* FROM read_parquet\()'([^']+)\/date=\*\/\*\.parquet'(.*?);?$/s;

/**
 * What to read the day-partitioned lake table `table` from for the dates
 * `from` to `to`: its catalogue view narrowed to the partition folders of
 * those dates that exist (a `read_parquet` over the whole table reads the
 * footer of every file first, for `union_by_name`: 91 vs 8 ms for a week of
 * 5m bars in a 10M-bar lake), `null` when none exists, or the view itself
 * when its definition is not the one expected.
 */
export async function dayPartitions(
  reader: Reader,
  table: string,
  from: string,
  to: string,
): Promise<string | null> {
  const [view] = await reader.memo(
    `view:${table}`,
    () =>
      reader.rows(`SELECT sql FROM duckdb_views() WHERE view_name = $1`, [
        table,
      ]),
  );
  const match = DAY_VIEW.exec(String(view?.sql ?? "").trim());
  if (!match) return `"${table}"`;
  const [, head, folder, options] = match;
  const dates: string[] = [];
  for (
    let ms = Date.parse(`${from}T00:00:00Z`);
    ms <= Date.parse(`${to}T00:00:00Z`);
    ms += DAY_MS
  ) {
    dates.push(iso(ms));
  }
  const present = await Promise.all(
    dates.map((date) =>
      Deno.stat(`${reader.root}/${folder}/date=${date}`).then(
        (info) => info.isDirectory,
        () => false,
      )
    ),
  );
  const globs = dates.filter((_, i) => present[i]).map((date) =>
    sqlString(`${folder}/date=${date}/*.parquet`)
  );
  return globs.length === 0
    ? null
    : `(${head}[${globs.join(", ")}]${options}) AS "${table}"`;
}

/**
 * The bars of `symbol` in the range from the range's table, merged in
 * DuckDB into candles of the finest width giving at most `maxCandles`
 * (open first, close last, high and low the extremes, volume summed, VWAP
 * the session's at the candle's end or the volume-weighted mean of the
 * bars'), with the 20-candle average of the close; or at `width` when
 * given (the compared symbols take the first one's).
 */
export async function readBars(
  reader: Reader,
  params: PricesParams,
  symbol: string,
  options: { width?: string; maxCandles?: number } = {},
): Promise<DrawnBars> {
  const { maxCandles = MAX_CANDLES } = options;
  const g = params.granularity;
  const index = (label: string) => {
    const i = CANDLE_WIDTHS.findIndex(([l]) => l === label);
    if (i < 0) throw new Error(`readBars: no candle width ${label}`);
    return i;
  };
  const finest = options.width === undefined
    ? index(g.label)
    : index(options.width);
  const coarsest = options.width === undefined
    ? CANDLE_WIDTHS.length - 1
    : finest;
  const prune = g.partition
    ? `AND "${g.partition}" BETWEEN CAST($2 AS DATE) AND CAST($3 AS DATE)`
    : "";
  const source = g.partition === "date"
    ? await dayPartitions(reader, g.table, params.from, params.to)
    : `"${g.table}"`;
  if (source === null) return { width: CANDLE_WIDTHS[finest]![0], bars: [] };
  const vwap = g.vwap === "session"
    ? "arg_max(vwap, ts)"
    : "sum(vwap * volume) / nullif(sum(volume) FILTER (WHERE vwap IS NOT NULL), 0)";
  const rows = await reader.rows(
    // ts as a plain UTC timestamp: bucketing a TIMESTAMPTZ goes through the
    // time zone calendar, row by row (88 vs 36 ms in EXPLAIN ANALYZE).
    `WITH src AS MATERIALIZED (
       SELECT ts::TIMESTAMP AS ts, open, high, low, close, volume::DOUBLE AS volume, vwap
       FROM ${source}
       WHERE symbol = $1 ${prune}
         AND ts >= CAST($2 AS TIMESTAMPTZ)
         AND ts < CAST($3 AS TIMESTAMPTZ) + INTERVAL 1 DAY),
     pick AS (${pickWidthSql(finest, coarsest)}),
     candles AS (
       SELECT time_bucket(widths.width, ts) AS t, arg_min(open, ts) AS open,
              max(high) AS high, min(low) AS low, arg_max(close, ts) AS close,
              sum(volume) AS volume, ${vwap} AS vwap
       FROM src, ${WIDTHS_SQL} JOIN pick USING (i)
       GROUP BY 1)
     SELECT epoch_ms(t)::DOUBLE AS t, open, high, low, close, volume, vwap,
            (SELECT i FROM pick) AS width
     FROM candles
     ORDER BY t`,
    finest === coarsest
      ? [symbol, params.from, params.to]
      : [symbol, params.from, params.to, maxCandles],
  );
  const width = CANDLE_WIDTHS[Number(rows[0]?.width ?? finest)]![0];
  // The 20-candle average here, not as a window in the query: a few
  // thousand additions against ~4 ms of DuckDB window.
  const closes = rows.map((r) => r.close as number);
  const average = (i: number) =>
    closes.slice(i - MA_WINDOW + 1, i + 1).reduce((a, b) => a + b, 0) /
    MA_WINDOW;
  return {
    width,
    bars: rows.map((r, i) => {
      return {
        ts: new Date(r.t as number),
        open: r.open as number,
        high: r.high as number,
        low: r.low as number,
        close: r.close as number,
        volume: r.volume as number,
        ma20: i >= MA_WINDOW - 1 ? average(i) : null,
        vwap: (r.vwap as number | null) ?? null,
      };
    }),
  };
}

/** The closes of several symbols' bars, for the comparison chart. */
export function closes(
  bars: ReadonlyMap<string, readonly CandleBar[]>,
): ClosePoint[] {
  return [...bars].flatMap(([symbol, list]) =>
    list.map((b) => ({ symbol, ts: b.ts, close: b.close }))
  );
}
