// AUTO-GENERATED from notebooks/01e_extract_finnhub.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01e_extract_finnhub.ipynb#module
/**
 * Finnhub stock candles (`/stock/candle`), one request per symbol and
 * window chunk, as the raw bar frame of `@pipeline/bars.ts`.
 *
 * The payload holds parallel arrays `c, h, l, o, t, v` (t in epoch
 * seconds) and a status `s`: `"ok"`, or `"no_data"` for an empty window
 * (not an error). Arrays of unequal length are a schema error.
 * @module
 */
import { z } from "zod";
import type pl from "nodejs-polars";
import { SymbolSchema } from "@pipeline/bars.ts";
import { bodyExcerpt } from "@pipeline/extract/http/client.ts";
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
  chunkWindow,
  formatWindow,
  inWindow,
  isoSeconds,
} from "@pipeline/extract/http/window.ts";
import type { Source } from "@pipeline/extract/source.ts";

// %% notebooks/01e_extract_finnhub.ipynb#finnhub
/** The source name, also its raw-landing folder. */
export const FINNHUB = "finnhub";
/** Where the API lives unless `FINNHUB_BASE_URL` or `baseUrl` says otherwise. */
export const FINNHUB_DEFAULT_BASE_URL = "https://finnhub.io/api/v1";
/** The variable holding the API key (environment or `.env`). */
export const FINNHUB_KEY_VARIABLE = "FINNHUB_API_KEY";

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-resolutions
/** Candle resolutions Finnhub offers (minutes, or D/W/M). */
export const FINNHUB_RESOLUTIONS = [
  "1",
  "5",
  "15",
  "30",
  "60",
  "D",
  "W",
  "M",
] as const;

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-config-schema
/** Configuration of {@link finnhubSource}. */
export const FinnhubConfigSchema = z.object({
  /** Symbols to fetch, e.g. `["IBM", "MSFT"]`. */
  symbols: z.array(SymbolSchema).min(1),
  /** Window start (included), UTC; ISO text or Date. */
  start: z.coerce.date(),
  /** Window end (excluded), UTC; ISO text or Date. */
  end: z.coerce.date(),
  /** Candle resolution; default `"1"` (one minute). */
  resolution: z.enum(FINNHUB_RESOLUTIONS).default("1"),
  /**
   * Days per request; default 7. Finnhub returns at most one month of
   * intraday candles per request, so at most 28.
   */
  chunkDays: z.number().int().min(1).max(28).default(7),
  /** Base URL; default `FINNHUB_BASE_URL`, else {@link FINNHUB_DEFAULT_BASE_URL}. */
  baseUrl: z.string().refine(isHttpUrl, "must be an http(s) URL").optional(),
  /** Sustained rate; default 60 per minute (the free plan). */
  requestsPerMinute: z.number().positive().default(60),
  /** Requests back to back; default 30 (Finnhub caps 30 per second). */
  burst: z.number().int().min(1).max(30).default(30),
  /** Retry settings; default 4 attempts, 1 s base, 30 s cap, 30 s timeout. */
  retry: RetryPolicySchema.partial().default({}),
}).refine((c) => c.end.getTime() > c.start.getTime(), {
  path: ["end"],
  message: "end must be after start (the window is [start, end))",
});
/** Configuration of {@link finnhubSource}, as written. */
export type FinnhubConfig = z.input<typeof FinnhubConfigSchema>;

// %% notebooks/01e_extract_finnhub.ipynb#number-array
const numberArray = z.array(z.number().nullable());

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-candles-schema
/** The documented candle payload: parallel arrays when `s` is `"ok"`. */
export const FinnhubCandlesSchema = z.discriminatedUnion("s", [
  z.object({
    s: z.literal("ok"),
    c: numberArray,
    h: numberArray,
    l: numberArray,
    o: numberArray,
    t: numberArray,
    v: numberArray,
  }),
  z.object({ s: z.literal("no_data") }),
]);

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-params-schema
/** What the parser needs besides the body; landed with it. */
export const FinnhubParamsSchema = z.object({
  symbol: z.string(),
  resolution: z.enum(FINNHUB_RESOLUTIONS),
  start: z.string(),
  end: z.string(),
});
/** Parser parameters of one Finnhub partition. */
export type FinnhubParams = z.infer<typeof FinnhubParamsSchema>;

// %% notebooks/01e_extract_finnhub.ipynb#arrays
const ARRAYS = ["o", "h", "l", "c", "v", "t"] as const;

// %% notebooks/01e_extract_finnhub.ipynb#parse-finnhub
/**
 * The raw bar frame of one `/stock/candle` body: columns `symbol, ts, open,
 * high, low, close, volume, record`, all Utf8, in body order (duplicates
 * and out-of-order times kept). Pure.
 *
 * - `ts` is `t` (epoch seconds) as `2026-11-03T14:30:00Z`; a null or
 *   non-integer `t` is kept as text (or null) for validation to quarantine.
 * - `s: "no_data"` gives an empty frame; rows whose time is outside the
 *   partition window are dropped.
 * - `record` is `finnhub:<partition>:t[<index>]`.
 *
 * Throws a {@link ResponseProblem}: `invalid-body` (not JSON), `provider`
 * (an `error` field: a limit message is transient), `schema` (a missing
 * array, unequal lengths, an unknown `s`).
 */
export function parseFinnhub(input: ParseInput): pl.DataFrame {
  const params = FinnhubParamsSchema.parse(input.params);
  const root = parseJsonBody(input.body).value;
  if (
    root && typeof root === "object" &&
    typeof (root as { error?: unknown }).error === "string"
  ) {
    const message = (root as { error: string }).error;
    const limited = /limit/i.test(message);
    throw new ResponseProblem(
      `Finnhub error: ${JSON.stringify(bodyExcerpt(message))}`,
      { kind: "provider", transient: limited },
    );
  }
  const checked = FinnhubCandlesSchema.safeParse(root);
  if (!checked.success) throw schemaProblem(checked.error, { input: root });
  const candles = checked.data;
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
  if (candles.s === "no_data") return utf8Frame(cols);
  const lengths = ARRAYS.map((k) => candles[k].length);
  if (new Set(lengths).size > 1) {
    throw new ResponseProblem(
      `payload does not match the documented schema: arrays have unequal lengths (${
        ARRAYS.map((k, i) => `${k}=${lengths[i]}`).join(", ")
      })`,
      { kind: "schema", transient: false },
    );
  }
  const window = { start: new Date(params.start), end: new Date(params.end) };
  const { o, h, l, c, v, t } = candles;
  for (let i = 0; i < t.length; i++) {
    const seconds = t[i];
    const ms = typeof seconds === "number" && Number.isInteger(seconds)
      ? seconds * 1000
      : undefined;
    if (ms !== undefined && !inWindow(window, ms)) continue;
    cols.symbol.push(params.symbol);
    cols.ts.push(ms === undefined ? rawText(seconds) : isoSeconds(ms));
    cols.open.push(rawText(o[i]));
    cols.high.push(rawText(h[i]));
    cols.low.push(rawText(l[i]));
    cols.close.push(rawText(c[i]));
    cols.volume.push(rawText(v[i]));
    cols.record.push(`${FINNHUB}:${input.partition}:t[${i}]`);
  }
  return utf8Frame(cols);
}

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-format
/** The Finnhub {@link RawFormat}, for live extraction and replay. */
export const finnhubFormat: RawFormat = {
  source: FINNHUB,
  dataset: "bars",
  parse: parseFinnhub,
};

// %% notebooks/01e_extract_finnhub.ipynb#finnhub-source
/**
 * A Finnhub {@link Source}: one partition per symbol and `chunkDays` chunk of
 * `[start, end)`, named `IBM 2026-11-02..2026-11-09`, each one
 * `/stock/candle?symbol=&resolution=&from=&to=` request (from/to in epoch
 * seconds, `to` = end − 1 s since Finnhub's range is inclusive) through one
 * shared token bucket. The key comes from `FINNHUB_API_KEY` (environment,
 * else `.env`); without one this throws an `EtlError` (stage `config`)
 * naming the variable, before any request.
 */
export function finnhubSource(
  config: FinnhubConfig,
  deps: HttpSourceDeps,
): Source {
  const cfg = parseConfig(FinnhubConfigSchema, config, FINNHUB);
  const env = loadEnv({ env: deps.env, dotenv: deps.dotenv });
  const apiKey = requireApiKey({
    source: FINNHUB,
    variable: FINNHUB_KEY_VARIABLE,
    env,
  });
  const baseUrl = sourceBaseUrl({
    source: FINNHUB,
    variable: "FINNHUB_BASE_URL",
    configured: cfg.baseUrl,
    env,
    fallback: FINNHUB_DEFAULT_BASE_URL,
  });
  const client = sourceClient({
    source: FINNHUB,
    requestsPerMinute: cfg.requestsPerMinute,
    burst: cfg.burst,
    retry: cfg.retry,
    secrets: [apiKey],
  }, deps);
  const chunks = chunkWindow(cfg, { days: cfg.chunkDays });
  const partitions = cfg.symbols.flatMap((symbol) =>
    chunks.map((window) => {
      const params: FinnhubParams = {
        symbol,
        resolution: cfg.resolution,
        start: window.start.toISOString(),
        end: window.end.toISOString(),
      };
      return httpPartition({
        name: `${symbol} ${formatWindow(window)}`,
        url: endpoint(baseUrl, "stock/candle", {
          symbol,
          resolution: cfg.resolution,
          from: String(Math.floor(window.start.getTime() / 1000)),
          to: String(Math.ceil(window.end.getTime() / 1000) - 1),
          token: apiKey,
        }),
        params,
        client,
        format: finnhubFormat,
        rawLanding: deps.rawLanding,
      });
    })
  );
  return {
    name: FINNHUB,
    dataset: "bars",
    partitions: () => [...partitions],
  };
}
