// AUTO-GENERATED from notebooks/01f_extract_openmeteo.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/01f_extract_openmeteo.ipynb#module
/**
 * Open-Meteo hourly weather (keyless), one request per configured location
 * and window chunk, as the raw weather frame defined here.
 *
 * **Raw weather frame** (extract → validate), one row per hour as delivered:
 *
 * | column | Utf8 content |
 * | --- | --- |
 * | `location` | the configured location name (`berlin`) |
 * | `ts` | the hour's start in UTC, `2026-11-01T13:00:00Z`; kept as sent if it cannot be read |
 * | `temperature_2m` | air temperature at 2 m, °C, decimal text |
 * | `relative_humidity_2m` | relative humidity at 2 m, %, decimal text |
 * | `precipitation` | precipitation of the preceding hour, mm, decimal text |
 * | `wind_speed_10m` | wind speed at 10 m, km/h, decimal text |
 * | `record` | `openmeteo:<partition>:hourly[<index>]` |
 *
 * Numbers are JavaScript's shortest decimal text of the JSON number
 * (`7.5`, `0`, `-1.2`); a JSON `null` (no data for that hour) stays null.
 * Rows are in body order; rows whose hour is outside the partition window
 * are dropped. Duplicates are not removed.
 * @module
 */
import { z } from "zod";
import type pl from "nodejs-polars";
import { endpoint, isHttpUrl } from "@pipeline/extract/http/endpoint.ts";
import { loadEnv } from "@pipeline/extract/http/env.ts";
import { ResponseProblem } from "@pipeline/extract/http/extract_error.ts";
import { bodyExcerpt } from "@pipeline/extract/http/client.ts";
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

// %% notebooks/01f_extract_openmeteo.ipynb#openmeteo
/** The source name, also its raw-landing folder. */
export const OPENMETEO = "openmeteo";
/** The forecast API unless `OPENMETEO_BASE_URL` or `baseUrl` says otherwise. */
export const OPENMETEO_DEFAULT_BASE_URL = "https://api.open-meteo.com";
/** The historical-weather API unless `OPENMETEO_BASE_URL` or `baseUrl` says otherwise. */
export const OPENMETEO_DEFAULT_ARCHIVE_BASE_URL =
  "https://archive-api.open-meteo.com";

// %% notebooks/01f_extract_openmeteo.ipynb#weather-variables
/** The hourly variables requested, in column order after `location, ts`. */
export const WEATHER_VARIABLES = [
  "temperature_2m",
  "relative_humidity_2m",
  "precipitation",
  "wind_speed_10m",
] as const;

// %% notebooks/01f_extract_openmeteo.ipynb#weather-raw-columns
/** Columns of the raw weather frame, in order (all Utf8). */
export const WEATHER_RAW_COLUMNS = [
  "location",
  "ts",
  ...WEATHER_VARIABLES,
  "record",
] as const;

// %% notebooks/01f_extract_openmeteo.ipynb#weather-units
/** The unit of each variable in the raw frame (Open-Meteo's defaults, requested explicitly). */
export const WEATHER_UNITS: Readonly<
  Record<typeof WEATHER_VARIABLES[number], string>
> = {
  temperature_2m: "°C",
  relative_humidity_2m: "%",
  precipitation: "mm",
  wind_speed_10m: "km/h",
};

// %% notebooks/01f_extract_openmeteo.ipynb#location-schema
/** A place to fetch weather for. */
export const LocationSchema = z.object({
  /** Names the partition and the `location` column: letters, digits, `_`, `-`. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** WGS84 latitude. */
  latitude: z.number().min(-90).max(90),
  /** WGS84 longitude. */
  longitude: z.number().min(-180).max(180),
});
/** A place to fetch weather for. */
export type Location = z.infer<typeof LocationSchema>;

// %% notebooks/01f_extract_openmeteo.ipynb#open-meteo-config-schema
/** Configuration of {@link openMeteoSource}. */
export const OpenMeteoConfigSchema = z.object({
  /** Locations to fetch; names must be unique. */
  locations: z.array(LocationSchema).min(1).refine(
    (ls) => new Set(ls.map((l) => l.name)).size === ls.length,
    "location names must be unique",
  ),
  /** Window start (included), UTC; ISO text or Date. */
  start: z.coerce.date(),
  /** Window end (excluded), UTC; ISO text or Date. */
  end: z.coerce.date(),
  /** `forecast` (recent past and next days) or `archive` (history); default `forecast`. */
  endpoint: z.enum(["forecast", "archive"]).default("forecast"),
  /** Days per request; default 7. */
  chunkDays: z.number().int().min(1).max(366).default(7),
  /** Base URL; default `OPENMETEO_BASE_URL`, else the endpoint's public host. */
  baseUrl: z.string().refine(isHttpUrl, "must be an http(s) URL").optional(),
  /** Sustained rate; default 600 per minute (the free tier). */
  requestsPerMinute: z.number().positive().default(600),
  /** Requests back to back; default 10. */
  burst: z.number().int().min(1).max(600).default(10),
  /** Retry settings; default 4 attempts, 1 s base, 30 s cap, 30 s timeout. */
  retry: RetryPolicySchema.partial().default({}),
}).refine((c) => c.end.getTime() > c.start.getTime(), {
  path: ["end"],
  message: "end must be after start (the window is [start, end))",
});
/** Configuration of {@link openMeteoSource}, as written. */
export type OpenMeteoConfig = z.input<typeof OpenMeteoConfigSchema>;

// %% notebooks/01f_extract_openmeteo.ipynb#value-array
const valueArray = z.array(z.number().nullable());

// %% notebooks/01f_extract_openmeteo.ipynb#open-meteo-hourly-schema
/** The documented hourly payload (only what the raw frame uses is checked). */
export const OpenMeteoHourlySchema = z.object({
  utc_offset_seconds: z.number().int(),
  hourly_units: z.record(z.string(), z.string()).optional(),
  hourly: z.object({
    time: z.array(z.union([z.string(), z.number()])),
    temperature_2m: valueArray,
    relative_humidity_2m: valueArray,
    precipitation: valueArray,
    wind_speed_10m: valueArray,
  }),
});

// %% notebooks/01f_extract_openmeteo.ipynb#open-meteo-params-schema
/** What the parser needs besides the body; landed with it. */
export const OpenMeteoParamsSchema = z.object({
  location: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  start: z.string(),
  end: z.string(),
});
/** Parser parameters of one Open-Meteo partition. */
export type OpenMeteoParams = z.infer<typeof OpenMeteoParamsSchema>;

// %% notebooks/01f_extract_openmeteo.ipynb#local-hour
const LOCAL_HOUR = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

// %% notebooks/01f_extract_openmeteo.ipynb#hour-utc
/** The UTC ms of an hourly `time` value, or undefined if unreadable. */
function hourUtc(
  time: string | number,
  utcOffsetSeconds: number,
): number | undefined {
  if (typeof time === "number") {
    return Number.isInteger(time) ? time * 1000 : undefined;
  }
  const m = LOCAL_HOUR.exec(time);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
  );
  if (new Date(wall).toISOString().slice(0, 16) !== time) return undefined;
  return wall - utcOffsetSeconds * 1000;
}

// %% notebooks/01f_extract_openmeteo.ipynb#parse-open-meteo
/**
 * The raw weather frame (see the module doc) of one hourly body. Pure.
 * `time` is read as wall-clock time at `utc_offset_seconds` (0 for the
 * `timezone=UTC` requested), or as epoch seconds if numeric.
 *
 * Throws a {@link ResponseProblem}: `invalid-body` (not JSON), `provider`
 * (`{"error": true, "reason": ...}`), `schema` (a missing variable, arrays of
 * unequal length, a unit other than {@link WEATHER_UNITS}).
 */
export function parseOpenMeteo(input: ParseInput): pl.DataFrame {
  const params = OpenMeteoParamsSchema.parse(input.params);
  const root = parseJsonBody(input.body).value;
  if (
    root && typeof root === "object" &&
    (root as { error?: unknown }).error === true
  ) {
    const reason = String((root as { reason?: unknown }).reason ?? "");
    throw new ResponseProblem(
      `Open-Meteo error: ${JSON.stringify(bodyExcerpt(reason))}`,
      { kind: "provider", transient: false },
    );
  }
  const checked = OpenMeteoHourlySchema.safeParse(root);
  if (!checked.success) throw schemaProblem(checked.error, { input: root });
  const { hourly, hourly_units: units, utc_offset_seconds } = checked.data;
  const fields = ["time", ...WEATHER_VARIABLES] as const;
  const lengths = fields.map((f) => hourly[f].length);
  if (new Set(lengths).size > 1) {
    throw new ResponseProblem(
      `payload does not match the documented schema: hourly arrays have unequal lengths (${
        fields.map((f, i) => `${f}=${lengths[i]}`).join(", ")
      })`,
      { kind: "schema", transient: false },
    );
  }
  for (const v of WEATHER_VARIABLES) {
    const unit = units?.[v];
    if (unit !== undefined && unit !== WEATHER_UNITS[v]) {
      throw new ResponseProblem(
        `payload does not match the documented schema: hourly_units.${v} is "${unit}", expected "${
          WEATHER_UNITS[v]
        }"`,
        { kind: "schema", transient: false },
      );
    }
  }
  const window = { start: new Date(params.start), end: new Date(params.end) };
  const cols: Record<(typeof WEATHER_RAW_COLUMNS)[number], (string | null)[]> =
    {
      location: [],
      ts: [],
      temperature_2m: [],
      relative_humidity_2m: [],
      precipitation: [],
      wind_speed_10m: [],
      record: [],
    };
  hourly.time.forEach((time, i) => {
    const ms = hourUtc(time, utc_offset_seconds);
    if (ms !== undefined && !inWindow(window, ms)) return;
    cols.location.push(params.location);
    cols.ts.push(ms === undefined ? rawText(time) : isoSeconds(ms));
    for (const v of WEATHER_VARIABLES) cols[v].push(rawText(hourly[v][i]));
    cols.record.push(`${OPENMETEO}:${input.partition}:hourly[${i}]`);
  });
  return utf8Frame(cols);
}

// %% notebooks/01f_extract_openmeteo.ipynb#open-meteo-format
/** The Open-Meteo {@link RawFormat}, for live extraction and replay. */
export const openMeteoFormat: RawFormat = {
  source: OPENMETEO,
  dataset: "weather",
  parse: parseOpenMeteo,
};

// %% notebooks/01f_extract_openmeteo.ipynb#open-meteo-source
/**
 * An Open-Meteo {@link Source} (dataset `weather`): one partition per
 * location and `chunkDays` chunk of `[start, end)`, named
 * `berlin 2026-11-01..2026-11-08`, each one `/v1/forecast` (or
 * `/v1/archive`) request with `hourly=temperature_2m,...`, `timezone=UTC`
 * and `start_date`/`end_date` (inclusive UTC dates covering the chunk),
 * through one shared token bucket. No key needed.
 */
export function openMeteoSource(
  config: OpenMeteoConfig,
  deps: HttpSourceDeps,
): Source {
  const cfg = parseConfig(OpenMeteoConfigSchema, config, OPENMETEO);
  const env = loadEnv({ env: deps.env, dotenv: deps.dotenv });
  const baseUrl = sourceBaseUrl({
    source: OPENMETEO,
    variable: "OPENMETEO_BASE_URL",
    configured: cfg.baseUrl,
    env,
    fallback: cfg.endpoint === "archive"
      ? OPENMETEO_DEFAULT_ARCHIVE_BASE_URL
      : OPENMETEO_DEFAULT_BASE_URL,
  });
  const client = sourceClient({
    source: OPENMETEO,
    requestsPerMinute: cfg.requestsPerMinute,
    burst: cfg.burst,
    retry: cfg.retry,
  }, deps);
  const chunks = chunkWindow(cfg, { days: cfg.chunkDays });
  const partitions = cfg.locations.flatMap((loc) =>
    chunks.map((window) => {
      const params: OpenMeteoParams = {
        location: loc.name,
        latitude: loc.latitude,
        longitude: loc.longitude,
        start: window.start.toISOString(),
        end: window.end.toISOString(),
      };
      return httpPartition({
        name: `${loc.name} ${formatWindow(window)}`,
        url: endpoint(baseUrl, `v1/${cfg.endpoint}`, {
          latitude: String(loc.latitude),
          longitude: String(loc.longitude),
          hourly: WEATHER_VARIABLES.join(","),
          timezone: "UTC",
          start_date: window.start.toISOString().slice(0, 10),
          end_date: new Date(window.end.getTime() - 1).toISOString().slice(
            0,
            10,
          ),
          temperature_unit: "celsius",
          wind_speed_unit: "kmh",
          precipitation_unit: "mm",
        }),
        params,
        client,
        format: openMeteoFormat,
        rawLanding: deps.rawLanding,
      });
    })
  );
  return {
    name: OPENMETEO,
    dataset: "weather",
    partitions: () => [...partitions],
  };
}
