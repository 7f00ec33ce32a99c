// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#alphavantage
/**
 * Daily bars from Alpha Vantage (`TIME_SERIES_DAILY`) as the raw eod frame.
 * @module
 */
import { z } from "zod";
import type pl from "nodejs-polars";
import { SymbolSchema } from "@pipeline/bars.ts";
import {
  ALPHAVANTAGE,
  ALPHAVANTAGE_CONNECTION_FIELDS,
  AlphaVantageBarSchema,
  alphaVantageConnection,
  alphaVantageFunctionFormat,
  readAlphaVantageSeries,
} from "@pipeline/extract/alphavantage.ts";
import type {
  ParseInput,
  RawFormat,
} from "@pipeline/extract/http/raw_format.ts";
import {
  type HttpSourceDeps,
  parseConfig,
} from "@pipeline/extract/http/source_deps.ts";
import { rawText, utf8Frame } from "@pipeline/extract/http/utf8_frame.ts";
import type { Source } from "@pipeline/extract/source.ts";

/** The API function. */
export const TIME_SERIES_DAILY = "TIME_SERIES_DAILY";

/** Configuration of {@link alphaVantageDailySource}. */
export const AlphaVantageDailyConfigSchema = z.object({
  /** Symbols to fetch, e.g. `["IBM", "MSFT"]`. */
  symbols: z.array(SymbolSchema).min(1),
  /** Window start (included), UTC: the first trading date kept. */
  start: z.coerce.date(),
  /** Window end (excluded), UTC. */
  end: z.coerce.date(),
  /** `compact`: the latest 100 days (default); `full`: 20+ years (premium). */
  outputSize: z.enum(["compact", "full"]).default("compact"),
  ...ALPHAVANTAGE_CONNECTION_FIELDS,
}).refine((c) => c.end.getTime() > c.start.getTime(), {
  path: ["end"],
  message: "end must be after start (the window is [start, end))",
});
/** Configuration of {@link alphaVantageDailySource}, as written. */
export type AlphaVantageDailyConfig = z.input<
  typeof AlphaVantageDailyConfigSchema
>;

/** What the daily parser needs besides the body; landed with it. */
export const AlphaVantageDailyParamsSchema = z.object({
  function: z.literal(TIME_SERIES_DAILY),
  symbol: z.string(),
  outputsize: z.enum(["compact", "full"]),
  start: z.string(),
  end: z.string(),
});

/** The envelope of a `TIME_SERIES_DAILY` body. */
const DailyPayloadSchema = z.object({
  "Meta Data": z.object({ "2. Symbol": z.string() }),
  "Time Series (Daily)": z.record(z.string(), z.unknown()),
});

/**
 * The raw eod frame of one `TIME_SERIES_DAILY` body: `symbol, date, open,
 * high, low, close, adj_close (null), volume, record`, all Utf8, entries in
 * body order with repeats kept (`record` `alphavantage:<partition>:<date>`,
 * `#2` for a repeat). Dates outside the window are dropped; a key that is
 * not a date is kept as sent, for validation to quarantine. Pure.
 *
 * Throws a `ResponseProblem`: `invalid-body`, `provider` (an HTTP-200
 * message), `schema` (a missing or renamed field, named).
 */
export function parseAlphaVantageDaily(input: ParseInput): pl.DataFrame {
  const params = AlphaVantageDailyParamsSchema.parse(input.params);
  const { entries } = readAlphaVantageSeries(input.body, {
    seriesKey: "Time Series (Daily)",
    payload: DailyPayloadSchema,
    entry: AlphaVantageBarSchema,
  });
  const start = Date.parse(params.start), end = Date.parse(params.end);
  const cols = {
    symbol: [] as (string | null)[],
    date: [] as (string | null)[],
    open: [] as (string | null)[],
    high: [] as (string | null)[],
    low: [] as (string | null)[],
    close: [] as (string | null)[],
    adj_close: [] as (string | null)[],
    volume: [] as (string | null)[],
    record: [] as (string | null)[],
  };
  const seen = new Map<string, number>();
  for (const [key, bar] of entries) {
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    const day = /^\d{4}-\d{2}-\d{2}$/.test(key)
      ? Date.parse(`${key}T00:00:00Z`)
      : NaN;
    if (!Number.isNaN(day) && (day < start || day >= end)) continue;
    cols.symbol.push(params.symbol);
    cols.date.push(key);
    cols.open.push(rawText(bar["1. open"]));
    cols.high.push(rawText(bar["2. high"]));
    cols.low.push(rawText(bar["3. low"]));
    cols.close.push(rawText(bar["4. close"]));
    cols.adj_close.push(null);
    cols.volume.push(rawText(bar["5. volume"]));
    cols.record.push(
      `${ALPHAVANTAGE}:${input.partition}:${key}${
        count > 1 ? `#${count}` : ""
      }`,
    );
  }
  return utf8Frame(cols);
}

/** The `TIME_SERIES_DAILY` {@link RawFormat}: live and `--from-raw`. */
export const alphaVantageDailyFormat: RawFormat = alphaVantageFunctionFormat({
  fn: TIME_SERIES_DAILY,
  dataset: "eod",
  parse: parseAlphaVantageDaily,
});

/**
 * The eod {@link Source} of Alpha Vantage: one partition per symbol,
 * `IBM daily`, one `TIME_SERIES_DAILY` request each through the shared
 * Alpha Vantage connection. Throws an `EtlError` (stage `config`) for a bad
 * configuration or a missing `ALPHAVANTAGE_API_KEY`, before any request.
 */
export function alphaVantageDailySource(
  config: AlphaVantageDailyConfig,
  deps: HttpSourceDeps,
): Source {
  const cfg = parseConfig(AlphaVantageDailyConfigSchema, config, ALPHAVANTAGE);
  const connection = alphaVantageConnection(cfg, deps);
  const partitions = cfg.symbols.map((symbol) => ({
    ...connection.partition({
      name: `${symbol} daily`,
      query: {
        function: TIME_SERIES_DAILY,
        symbol,
        outputsize: cfg.outputSize,
      },
      params: {
        function: TIME_SERIES_DAILY,
        symbol,
        outputsize: cfg.outputSize,
        start: cfg.start.toISOString(),
        end: cfg.end.toISOString(),
      },
      format: alphaVantageDailyFormat,
    }),
    entity: symbol,
  }));
  return {
    name: ALPHAVANTAGE,
    dataset: "eod",
    partitions: () => [...partitions],
  };
}
