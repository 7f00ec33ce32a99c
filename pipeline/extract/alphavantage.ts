// AUTO-GENERATED from notebooks/01d_extract_alphavantage.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01d_extract_alphavantage.ipynb#module
/**
 * Alpha Vantage time series, one function at a time: the intraday bars
 * (`TIME_SERIES_INTRADAY`), one request per symbol and month, as the raw
 * bar frame of `@pipeline/bars.ts`, and what every other function
 * (`TIME_SERIES_DAILY`, for daily bars) shares with it: one connection
 * (key, base URL, token bucket, retries, redaction, raw landing), one
 * checked reading of a body ({@link readAlphaVantageSeries}) and raw
 * formats that replay only their own function's bodies.
 *
 * Provider quirks handled here: numbers arrive as strings under keys like
 * `"1. open"`; timestamps are wall-clock times in the zone named by
 * `Meta Data["6. Time Zone"]` (`US/Eastern`) and are converted to UTC across
 * daylight-saving changes; rate-limit and error messages arrive with HTTP
 * 200 (`Note`, `Information`: transient, retried; `Error Message`: terminal).
 * @module
 */
import { z } from "zod";
import type pl from "nodejs-polars";
import { SymbolSchema } from "@pipeline/bars.ts";
import { endpoint, isHttpUrl } from "@pipeline/extract/http/endpoint.ts";
import { loadEnv } from "@pipeline/extract/http/env.ts";
import { ResponseProblem } from "@pipeline/extract/http/extract_error.ts";
import { httpPartition } from "@pipeline/extract/http/http_partition.ts";
import {
  parseJsonBody,
  schemaProblem,
} from "@pipeline/extract/http/json_body.ts";
import type {
  ParseInput,
  RawFormat,
} from "@pipeline/extract/http/raw_format.ts";
import { bodyExcerpt } from "@pipeline/extract/http/client.ts";
import { RetryPolicySchema } from "@pipeline/extract/http/retry_policy.ts";
import {
  type HttpSourceDeps,
  parseConfig,
  requireApiKey,
  sourceBaseUrl,
  sourceClient,
} from "@pipeline/extract/http/source_deps.ts";
import { rawText, utf8Frame } from "@pipeline/extract/http/utf8_frame.ts";
import {
  inWindow,
  isoSeconds,
  type TimeWindow,
} from "@pipeline/extract/http/window.ts";
import {
  isValidTimeZone,
  zonedLocalToUtc,
} from "@pipeline/extract/http/zoned_time.ts";
import type { Source, SourcePartition } from "@pipeline/extract/source.ts";

// %% notebooks/01d_extract_alphavantage.ipynb#alphavantage
/** The source name, also its raw-landing folder. */
export const ALPHAVANTAGE = "alphavantage";
/** Where the API lives unless `ALPHAVANTAGE_BASE_URL` or `baseUrl` says otherwise. */
export const ALPHAVANTAGE_DEFAULT_BASE_URL = "https://www.alphavantage.co";
/** The variable holding the API key (environment or `.env`). */
export const ALPHAVANTAGE_KEY_VARIABLE = "ALPHAVANTAGE_API_KEY";
/** The zone Alpha Vantage documents for US intraday series; months are cut in it. */
export const ALPHAVANTAGE_MARKET_TIME_ZONE = "US/Eastern";

// %% notebooks/01d_extract_alphavantage.ipynb#alphavantage-intervals
/** Intervals `TIME_SERIES_INTRADAY` offers. */
export const ALPHAVANTAGE_INTERVALS = [
  "1min",
  "5min",
  "15min",
  "30min",
  "60min",
] as const;

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-config-schema
/**
 * The settings every Alpha Vantage source shares (the connection), as a zod
 * shape each function's configuration schema spreads in.
 */
export const ALPHAVANTAGE_CONNECTION_FIELDS = {
  /** Base URL; default `ALPHAVANTAGE_BASE_URL`, else {@link ALPHAVANTAGE_DEFAULT_BASE_URL}. */
  baseUrl: z.string().refine(isHttpUrl, "must be an http(s) URL").optional(),
  /** Sustained rate; default 5 per minute (the free tier's historical limit; it also caps 25 per day). */
  requestsPerMinute: z.number().positive().default(5),
  /** Requests allowed back to back, 1 to 5; default 1. */
  burst: z.number().int().min(1).max(5).default(1),
  /** Retry settings; default 4 attempts, 5 s base, 60 s cap, 30 s timeout. */
  retry: RetryPolicySchema.partial().default({}),
};

/** Configuration of {@link alphaVantageSource}. */
export const AlphaVantageConfigSchema = z.object({
  /** Symbols to fetch, e.g. `["IBM", "MSFT"]`. */
  symbols: z.array(SymbolSchema).min(1),
  /** Window start (included), UTC; ISO text or Date. */
  start: z.coerce.date(),
  /** Window end (excluded), UTC; ISO text or Date. */
  end: z.coerce.date(),
  /** Bar interval; default `1min` (the bar contract is one-minute bars). */
  interval: z.enum(ALPHAVANTAGE_INTERVALS).default("1min"),
  ...ALPHAVANTAGE_CONNECTION_FIELDS,
}).refine((c) => c.end.getTime() > c.start.getTime(), {
  path: ["end"],
  message: "end must be after start (the window is [start, end))",
});
/** Configuration of {@link alphaVantageSource}, as written. */
export type AlphaVantageConfig = z.input<typeof AlphaVantageConfigSchema>;

// %% notebooks/01d_extract_alphavantage.ipynb#av-retry
const AV_RETRY = { baseDelayMs: 5_000, maxDelayMs: 60_000 };

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-month-window
/**
 * The UTC window of calendar month `month` (`YYYY-MM`) in US/Eastern, the
 * window to configure to fetch exactly that month: `2026-11` →
 * `[2026-11-01T04:00Z, 2026-12-01T05:00Z)`.
 */
export function alphaVantageMonthWindow(month: string): TimeWindow {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const year = Number(m?.[1]);
  const mon = Number(m?.[2]);
  if (!m || mon < 1 || mon > 12) {
    throw new RangeError(`invalid month "${month}": expected YYYY-MM`);
  }
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${pad(mon + 1)}`;
  return {
    start: new Date(monthStartUtc(month)),
    end: new Date(monthStartUtc(next)),
  };
}

// %% notebooks/01d_extract_alphavantage.ipynb#pad
function pad(n: number): string {
  return String(n).padStart(2, "0");
}

// %% notebooks/01d_extract_alphavantage.ipynb#month-start-utc
function monthStartUtc(month: string): number {
  const ms = zonedLocalToUtc(
    `${month}-01 00:00:00`,
    ALPHAVANTAGE_MARKET_TIME_ZONE,
  );
  if (ms === undefined) throw new RangeError(`invalid month "${month}"`);
  return ms;
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-months
/**
 * The US/Eastern months overlapping `window`, each with the part of
 * `window` inside it. A UTC-midnight window touches the previous Eastern
 * month for a few hours: use {@link alphaVantageMonthWindow} to fetch whole
 * months.
 */
export function alphaVantageMonths(
  window: TimeWindow,
): { month: string; window: TimeWindow }[] {
  const out: { month: string; window: TimeWindow }[] = [];
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: ALPHAVANTAGE_MARKET_TIME_ZONE,
    year: "numeric",
    month: "2-digit",
  });
  let month = fmt.format(window.start).slice(0, 7);
  for (;;) {
    const span = alphaVantageMonthWindow(month);
    if (span.start.getTime() >= window.end.getTime()) break;
    out.push({
      month,
      window: {
        start: new Date(Math.max(span.start.getTime(), window.start.getTime())),
        end: new Date(Math.min(span.end.getTime(), window.end.getTime())),
      },
    });
    month = isoMonthAfter(month);
  }
  return out;
}

// %% notebooks/01d_extract_alphavantage.ipynb#iso-month-after
function isoMonthAfter(month: string): string {
  const [y = 0, m = 0] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-bar-schema
/** One bar as Alpha Vantage sends it: decimal strings under numbered keys. */
export const AlphaVantageBarSchema = z.object({
  "1. open": z.union([z.string(), z.number()]).nullable(),
  "2. high": z.union([z.string(), z.number()]).nullable(),
  "3. low": z.union([z.string(), z.number()]).nullable(),
  "4. close": z.union([z.string(), z.number()]).nullable(),
  "5. volume": z.union([z.string(), z.number()]).nullable(),
});

// %% notebooks/01d_extract_alphavantage.ipynb#payload-schemas
const payloadSchemas = new Map<string, z.ZodType>();

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-payload-schema
/**
 * The documented shape of a `TIME_SERIES_INTRADAY` payload for `interval`:
 * `Meta Data` naming a known time zone, and `Time Series (<interval>)`
 * whose entries are checked one by one with {@link AlphaVantageBarSchema}.
 */
export function alphaVantagePayloadSchema(interval: string): z.ZodType {
  let schema = payloadSchemas.get(interval);
  if (!schema) {
    schema = z.object({
      "Meta Data": z.object({
        "2. Symbol": z.string(),
        "6. Time Zone": z.string().refine(
          isValidTimeZone,
          "unknown time zone",
        ),
      }),
      [`Time Series (${interval})`]: z.record(z.string(), z.unknown()),
    });
    payloadSchemas.set(interval, schema);
  }
  return schema;
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-params-schema
/** What the parser needs besides the body; landed with it. */
export const AlphaVantageParamsSchema = z.object({
  symbol: z.string(),
  interval: z.enum(ALPHAVANTAGE_INTERVALS),
  month: z.string(),
  start: z.string(),
  end: z.string(),
});
/** Parser parameters of one Alpha Vantage partition. */
export type AlphaVantageParams = z.infer<typeof AlphaVantageParamsSchema>;

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-message-problem
/**
 * The problem an HTTP-200 message body stands for: `Error Message` →
 * terminal; `Note`/`Information` → rate limit, transient and retried,
 * except a daily quota alone (`... 25 requests per day`: transient, not
 * retried this run) and a premium-endpoint or invalid-key message
 * (terminal).
 */
export function alphaVantageMessageProblem(
  key: "Error Message" | "Note" | "Information",
  message: string,
): ResponseProblem {
  const quoted = `Alpha Vantage ${key}: ${
    JSON.stringify(bodyExcerpt(message))
  }`;
  if (key === "Error Message") {
    return new ResponseProblem(quoted, { kind: "provider", transient: false });
  }
  if (/premium endpoint|api ?key is invalid|invalid api ?key/i.test(message)) {
    return new ResponseProblem(quoted, { kind: "provider", transient: false });
  }
  if (/per day/i.test(message) && !/per minute/i.test(message)) {
    return new ResponseProblem(`daily request limit reached: ${quoted}`, {
      kind: "provider",
      transient: true,
      retry: false,
    });
  }
  return new ResponseProblem(`rate limited: ${quoted}`, {
    kind: "provider",
    transient: true,
  });
}

// %% notebooks/01d_extract_alphavantage.ipynb#read-alpha-vantage-series
/** What {@link readAlphaVantageSeries} checks a body of one function against. */
export interface AlphaVantageSeriesShape {
  /** The member holding the series: `Time Series (1min)`, `Time Series (Daily)`. */
  seriesKey: string;
  /** The envelope: `Meta Data` and the series as a record of unknowns. */
  payload: z.ZodType;
  /** One entry of the series (checked one by one, so errors name the key). */
  entry: z.ZodType;
}

/** A checked series body: its `Meta Data` and its entries in body order. */
export interface AlphaVantageSeries<E> {
  /** The body's `Meta Data` object. */
  meta: Record<string, unknown>;
  /** Every `[key, entry]` of the series, duplicate keys kept, in body order. */
  entries: [key: string, entry: E][];
}

/**
 * Reads the body of any Alpha Vantage time-series function: JSON keeping
 * duplicate keys, an HTTP-200 message (`Error Message`, `Note`,
 * `Information`) in place of the series turned into its problem
 * ({@link alphaVantageMessageProblem}), the envelope checked with
 * `shape.payload`, then every entry with `shape.entry`.
 *
 * Throws a {@link ResponseProblem}: `invalid-body` (not JSON), `provider`
 * (a message), `schema` (a missing or renamed field, named by its path).
 */
export function readAlphaVantageSeries<S extends z.ZodType>(
  body: string,
  shape: AlphaVantageSeriesShape & { entry: S },
): AlphaVantageSeries<z.infer<S>> {
  const doc = parseJsonBody(body);
  const root = doc.value;
  if (root && typeof root === "object" && !Array.isArray(root)) {
    const obj = root as Record<string, unknown>;
    if (!(shape.seriesKey in obj)) {
      for (const key of ["Error Message", "Note", "Information"] as const) {
        if (typeof obj[key] === "string") {
          throw alphaVantageMessageProblem(key, obj[key]);
        }
      }
    }
  }
  const checked = shape.payload.safeParse(root);
  if (!checked.success) throw schemaProblem(checked.error, { input: root });
  const obj = root as Record<string, Record<string, unknown>>;
  const entries: [string, z.infer<S>][] = [];
  for (const [key, value] of doc.entriesOf(obj[shape.seriesKey] as object)) {
    const entry = shape.entry.safeParse(value);
    if (!entry.success) {
      throw schemaProblem(entry.error, {
        prefix: [shape.seriesKey, key],
        input: value,
      });
    }
    entries.push([key, entry.data]);
  }
  return { meta: obj["Meta Data"] ?? {}, entries };
}

// %% notebooks/01d_extract_alphavantage.ipynb#parse-alpha-vantage
/**
 * The raw bar frame of one `TIME_SERIES_INTRADAY` body: columns `symbol, ts,
 * open, high, low, close, volume, record`, all Utf8. Pure: the same input
 * gives the same frame.
 *
 * - `ts` is the series key converted from `Meta Data["6. Time Zone"]` to
 *   UTC, as `2026-11-03T14:30:00Z`; a key that cannot be converted
 *   (malformed, or in the hour skipped by a DST change) is kept as sent so
 *   validation quarantines it. A time repeated by a DST change reads as its
 *   first occurrence.
 * - Entries are kept in body order with duplicate keys (not collapsed as
 *   `JSON.parse` would); rows whose UTC time is outside the partition window
 *   are dropped (the API returns whole months).
 * - `record` is `alphavantage:<partition>:<key>`, `#2`, `#3`… for repeats.
 *
 * Throws a {@link ResponseProblem}: `invalid-body` (not JSON), `provider`
 * (an HTTP-200 message), `schema` (a missing or renamed field, named).
 */
export function parseAlphaVantage(input: ParseInput): pl.DataFrame {
  const params = AlphaVantageParamsSchema.parse(input.params);
  const { meta, entries } = readAlphaVantageSeries(input.body, {
    seriesKey: `Time Series (${params.interval})`,
    payload: alphaVantagePayloadSchema(params.interval),
    entry: AlphaVantageBarSchema,
  });
  const timeZone = String(meta["6. Time Zone"]);
  const window = {
    start: new Date(params.start),
    end: new Date(params.end),
  };

  const cols = {
    symbol: [] as (string | null)[],
    ts: [] as (string | null)[],
    open: [] as (string | null)[],
    high: [] as (string | null)[],
    low: [] as (string | null)[],
    close: [] as (string | null)[],
    volume: [] as (string | null)[],
    record: [] as (string | null)[],
  };
  const seen = new Map<string, number>();
  for (const [key, b] of entries) {
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    const utc = zonedLocalToUtc(key, timeZone);
    if (utc !== undefined && !inWindow(window, utc)) continue;
    cols.symbol.push(params.symbol);
    cols.ts.push(utc === undefined ? key : isoSeconds(utc));
    cols.open.push(rawText(b["1. open"]));
    cols.high.push(rawText(b["2. high"]));
    cols.low.push(rawText(b["3. low"]));
    cols.close.push(rawText(b["4. close"]));
    cols.volume.push(rawText(b["5. volume"]));
    cols.record.push(
      `${ALPHAVANTAGE}:${input.partition}:${key}${
        count > 1 ? `#${count}` : ""
      }`,
    );
  }
  return utf8Frame(cols);
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-function-format
/**
 * The {@link RawFormat} of one Alpha Vantage function: bodies land under
 * `raw/alphavantage/` whatever the function, so replay keeps only those
 * whose landed params name `fn` (`params.function`); with `unnamed`, also
 * those whose params name no function (landed before functions were
 * named: the intraday ones).
 */
export function alphaVantageFunctionFormat(options: {
  /** The API `function`, e.g. `TIME_SERIES_DAILY`. */
  fn: string;
  /** The dataset of the frames. */
  dataset: string;
  /** The parser of one body. */
  parse: (input: ParseInput) => pl.DataFrame;
  /** Also replay bodies whose params name no function. Default false. */
  unnamed?: boolean;
}): RawFormat {
  const { fn, dataset, parse, unnamed = false } = options;
  return {
    source: ALPHAVANTAGE,
    dataset,
    parse,
    accepts: (params) =>
      params.function === fn || (unnamed && params.function === undefined),
  };
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-format
/**
 * The Alpha Vantage intraday {@link RawFormat}, for live extraction and
 * replay (of intraday bodies only: their params name no function).
 */
export const alphaVantageFormat: RawFormat = alphaVantageFunctionFormat({
  fn: "TIME_SERIES_INTRADAY",
  dataset: "bars",
  parse: parseAlphaVantage,
  unnamed: true,
});

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-connection
/** One request of an Alpha Vantage partition. */
export interface AlphaVantageRequest {
  /** The partition name, unique within the source (`IBM 2026-11`). */
  name: string;
  /** The query besides `apikey`: `function`, `symbol`, ... */
  query: Record<string, string>;
  /** What the parser needs besides the body; landed with it (no secrets). */
  params: Record<string, unknown>;
  /** The function's parser. */
  format: RawFormat;
}

/**
 * What every Alpha Vantage source shares: the key, the base URL and one
 * HTTP client (token bucket, retries, the key as a secret redacted from
 * errors, events and landed bodies), handing out partitions.
 */
export interface AlphaVantageConnection {
  /** A partition sending `request` through the shared client. */
  partition(request: AlphaVantageRequest): SourcePartition;
}

/**
 * The connection of an Alpha Vantage source configured with `config` (the
 * parsed {@link ALPHAVANTAGE_CONNECTION_FIELDS}). The key comes from
 * `ALPHAVANTAGE_API_KEY` (environment, else `.env`); without one this
 * throws an `EtlError` (stage `config`) naming the variable, before any
 * request.
 */
export function alphaVantageConnection(
  config: {
    baseUrl?: string | undefined;
    requestsPerMinute: number;
    burst: number;
    retry: z.infer<typeof ALPHAVANTAGE_CONNECTION_FIELDS.retry>;
  },
  deps: HttpSourceDeps,
): AlphaVantageConnection {
  const env = loadEnv({ env: deps.env, dotenv: deps.dotenv });
  const apiKey = requireApiKey({
    source: ALPHAVANTAGE,
    variable: ALPHAVANTAGE_KEY_VARIABLE,
    env,
  });
  const baseUrl = sourceBaseUrl({
    source: ALPHAVANTAGE,
    variable: "ALPHAVANTAGE_BASE_URL",
    configured: config.baseUrl,
    env,
    fallback: ALPHAVANTAGE_DEFAULT_BASE_URL,
  });
  const client = sourceClient({
    source: ALPHAVANTAGE,
    requestsPerMinute: config.requestsPerMinute,
    burst: config.burst,
    retry: { ...AV_RETRY, ...config.retry },
    secrets: [apiKey],
  }, deps);
  return {
    partition: ({ name, query, params, format }) =>
      httpPartition({
        name,
        url: endpoint(baseUrl, "query", { ...query, apikey: apiKey }),
        params,
        client,
        format,
        rawLanding: deps.rawLanding,
      }),
  };
}

// %% notebooks/01d_extract_alphavantage.ipynb#alpha-vantage-source
/**
 * An Alpha Vantage {@link Source}: one partition per symbol and US/Eastern
 * month overlapping `[start, end)`, named `IBM 2026-11`, each one
 * `TIME_SERIES_INTRADAY&month=YYYY-MM&outputsize=full` request through one
 * shared token bucket. The key comes from `ALPHAVANTAGE_API_KEY`
 * (environment, else `.env`); without one this throws an `EtlError` (stage
 * `config`) naming the variable, before any request.
 *
 * @example
 * ```ts
 * import { alphaVantageSource, alphaVantageMonthWindow } from "@pipeline/extract/alphavantage.ts";
 * import { systemClock } from "@pipeline/clock.ts";
 * const source = alphaVantageSource(
 *   { symbols: ["IBM"], ...alphaVantageMonthWindow("2026-11") },
 *   { clock: systemClock },
 * );
 * source.partitions().map((p) => p.name); // ["IBM 2026-11"]
 * ```
 */
export function alphaVantageSource(
  config: AlphaVantageConfig,
  deps: HttpSourceDeps,
): Source {
  const cfg = parseConfig(AlphaVantageConfigSchema, config, ALPHAVANTAGE);
  const connection = alphaVantageConnection(cfg, deps);
  const months = alphaVantageMonths(cfg);
  const partitions = cfg.symbols.flatMap((symbol) =>
    months.map(({ month, window }) => {
      const params: AlphaVantageParams = {
        symbol,
        interval: cfg.interval,
        month,
        start: window.start.toISOString(),
        end: window.end.toISOString(),
      };
      return connection.partition({
        name: `${symbol} ${month}`,
        query: {
          function: "TIME_SERIES_INTRADAY",
          symbol,
          interval: cfg.interval,
          month,
          outputsize: "full",
        },
        params,
        format: alphaVantageFormat,
      });
    })
  );
  return {
    name: ALPHAVANTAGE,
    dataset: "bars",
    partitions: () => [...partitions],
  };
}
