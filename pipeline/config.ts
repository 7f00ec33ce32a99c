/**
 * The run configuration, validated once at the edge (CLI, scheduler) and
 * passed down. Nothing below reads flags or the environment.
 * @module
 */
import { z } from "zod";
import { SymbolSchema } from "@pipeline/bars.ts";
import { DEFAULT_SYMBOLS } from "@pipeline/extract/synthetic.ts";
import { LocationSchema } from "@pipeline/extract/openmeteo.ts";
import { TS_UNITS } from "@pipeline/extract/record_file.ts";
import { SOURCE_DATASETS } from "@pipeline/datasets/source_datasets.ts";
import { DATASETS } from "@pipeline/datasets/registry.ts";

/** The source names `--source` accepts. */
export const SOURCE_NAMES = [
  "synthetic",
  "file",
  "alphavantage",
  "finnhub",
  "openmeteo",
] as const;

/** The HTTP sources, which land raw responses and can replay them. */
export const HTTP_SOURCES = ["alphavantage", "finnhub", "openmeteo"] as const;

/** A source's name. */
export type SourceName = typeof SOURCE_NAMES[number];

/**
 * The datasets each source can deliver (`--dataset`), its own first:
 * derived from the datasets' declarations in the registry.
 */
export { SOURCE_DATASETS };

/** Weather locations of the openmeteo source when none are given. */
export const DEFAULT_LOCATIONS = [
  { name: "new-york", latitude: 40.71, longitude: -74.01 },
  { name: "seattle", latitude: 47.61, longitude: -122.33 },
  { name: "london", latitude: 51.51, longitude: -0.13 },
] as const;

/** `name:latitude:longitude` as a location. */
export function parseLocation(text: string): unknown {
  const [name, lat, lon, ...rest] = text.split(":");
  if (rest.length || lat === undefined || lon === undefined) {
    throw new ConfigError(
      `expected name:latitude:longitude, got "${text}"`,
    );
  }
  return { name, latitude: Number(lat), longitude: Number(lon) };
}

/** The settings of a run configuration, each with its default. */
export const RunConfigFields = z.object({
  /** Where bars come from. */
  source: z.enum(SOURCE_NAMES).default("synthetic"),
  /**
   * The dataset the run loads (a name of the datasets registry); default
   * the source's own ({@link SOURCE_DATASETS}). A source that cannot
   * deliver it is refused.
   */
  dataset: z.string().optional(),
  /** The input file of the `file` source (CSV, JSON or Parquet). */
  input: z.string().min(1).optional(),
  /**
   * The file source's column mapping: dataset field → file column
   * (`--map ts=date,close=adjclose`); fields not named match by name.
   */
  map: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** The file source's constant symbol, for a single-symbol file. */
  symbol: SymbolSchema.optional(),
  /** The unit of the file's epoch timestamps; default: by magnitude. */
  tsUnit: z.enum(TS_UNITS).optional(),
  /**
   * Show how the source's records parse (first rows, types, quarantine
   * reasons, counts) and load nothing: no database is opened.
   */
  dryRun: z.boolean().default(false),
  /** Symbols of the synthetic source. */
  symbols: z.array(SymbolSchema).min(1).default([...DEFAULT_SYMBOLS]),
  /** Trading sessions of the synthetic source, ending at `asOf`. */
  sessions: z.number().int().min(1).max(260).default(5),
  /** Seed of the synthetic source. */
  seed: z.number().int().default(42),
  /** Share of defective records the synthetic source emits. */
  defectRate: z.number().min(0).max(1).default(0.005),
  /** Where PGlite, the lake and analytics.duckdb live. */
  dataDir: z.string().min(1).default("./data"),
  /** A Postgres server; when absent, embedded PGlite under dataDir. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, {
    message: "must be a postgres:// or postgresql:// URL",
  }).optional(),
  /** "Now" for the run (the clock); defaults to the machine's clock. */
  asOf: z.coerce.date().optional(),
  /** Export the loaded dates to Parquet and DuckDB after the load. */
  snapshot: z.boolean().default(true),
  /** Window start (included) of the HTTP and synthetic sources, UTC. */
  start: z.coerce.date().optional(),
  /** Window end (excluded) of the HTTP sources, UTC. */
  end: z.coerce.date().optional(),
  /** A calendar month (YYYY-MM) as the window: Alpha Vantage's unit. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, {
    message: "expected YYYY-MM",
  }).optional(),
  /** Locations of the openmeteo source. */
  locations: z.array(LocationSchema).min(1).default(
    DEFAULT_LOCATIONS.map((l) => ({ ...l })),
  ),
  /** Open-Meteo endpoint: `forecast` (recent days) or `archive` (history). */
  endpoint: z.enum(["forecast", "archive"]).default("forecast"),
  /** Rebuild from landed raw responses instead of calling the API. */
  fromRaw: z.boolean().default(false),
  /** With fromRaw: only responses landed on this UTC date. */
  rawDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, {
    message: "expected YYYY-MM-DD",
  }).optional(),
  /** Land every HTTP response under <dataDir>/raw before parsing. */
  rawLanding: z.boolean().default(true),
  /**
   * Incremental loading: ask an incremental source only for data after each
   * partition's watermark minus {@link lagMs}.
   */
  incremental: z.boolean().default(true),
  /**
   * The lookback below the watermark re-read by every incremental run, so
   * late and corrected records are merged again (milliseconds; default 30
   * minutes). The window start is then rounded down to the hour, so that
   * hourly and 5-minute buckets are recomputed whole.
   */
  lagMs: z.number().int().min(0).default(30 * 60_000),
});

/** A validated run configuration: {@link RunConfigFields} checked together. */
export const RunConfigSchema = RunConfigFields.superRefine((c, ctx) => {
  if (c.fromRaw && !(HTTP_SOURCES as readonly string[]).includes(c.source)) {
    ctx.addIssue({
      code: "custom",
      path: ["fromRaw"],
      message: `--from-raw needs an HTTP source (${HTTP_SOURCES.join(", ")})`,
    });
  }
  if (c.month && (c.start || c.end)) {
    ctx.addIssue({
      code: "custom",
      path: ["month"],
      message: "give --month or --start/--end, not both",
    });
  }
  if (c.start && c.end && c.end <= c.start) {
    ctx.addIssue({
      code: "custom",
      path: ["end"],
      message: "--end must be after --start (the window is [start, end))",
    });
  }
  const delivers: readonly string[] = SOURCE_DATASETS[c.source] ?? [];
  if (delivers.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["source"],
      message: `--source ${c.source} delivers no registered dataset`,
    });
  } else if (c.dataset !== undefined && !delivers.includes(c.dataset)) {
    const by = SOURCE_NAMES.filter((s) =>
      SOURCE_DATASETS[s]?.includes(c.dataset!)
    );
    ctx.addIssue({
      code: "custom",
      path: ["dataset"],
      message: `--source ${c.source} cannot deliver --dataset ${c.dataset}; ` +
        `it delivers ${delivers.join(" or ")}${
          by.length
            ? ` (${c.dataset} comes from --source ${by.join(", ")})`
            : DATASETS[c.dataset]?.streamSides
            ? ` (no run source delivers ${c.dataset}: it is fed by etl stream)`
            : ""
        }`,
    });
  }
  for (
    const [key, flag] of [["map", "--map"], ["symbol", "--symbol"], [
      "tsUnit",
      "--ts-unit",
    ]] as const
  ) {
    if (c[key] !== undefined && c.source !== "file") {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `${flag} is an option of --source file`,
      });
    }
  }
  if (c.source === "file" && !c.input) {
    ctx.addIssue({
      code: "custom",
      path: ["input"],
      message: "--source file needs --input PATH",
    });
  }
}).transform((c) => ({
  ...c,
  // Refused above when the source delivers none.
  dataset: c.dataset ?? SOURCE_DATASETS[c.source]?.[0] ?? "",
}));

/** A validated run configuration. */
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Validates `input`; throws a readable message naming each bad setting. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = RunConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    `${i.path.join(".") || "config"}: ${i.message}`
  );
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}

/** A configuration the run cannot start with (never worth retrying). */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Hides the password of a database URL, for logs and summaries. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
