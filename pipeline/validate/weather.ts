// AUTO-GENERATED from notebooks/02b_validate_weather.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/02b_validate_weather.ipynb#module
/**
 * The validate stage for weather: splits the RAW weather frame (see
 * `@pipeline/extract/openmeteo.ts`) into the VALID weather frame and the
 * QUARANTINE frame, vectorised with polars.
 *
 * - **Valid frame** (validate → transform): `location` Utf8, `ts`
 *   Datetime("ms", "UTC"), the four {@link WEATHER_VARIABLES} Float64
 *   (nullable: Open-Meteo sends null for an hour it has no data for, and
 *   such a value loads as NULL), `record` Utf8. Source order; may still hold
 *   exact duplicates of (location, ts), which the transform drops and counts.
 * - **Quarantine frame** (validate → load):
 *   {@link WEATHER_QUARANTINE_COLUMNS}, all Utf8; `raw` is the record's six
 *   fields as JSON, exactly as delivered.
 *
 * Each record is checked against the rules below in order; the first failing
 * rule quarantines it with the field it names and a reason that quotes the
 * offending value (`precipitation: expected a number, got "n/a"`):
 *
 * 1. a missing `location` or `ts` (null or blank); a null or blank
 *    measurement is not an error, it becomes null;
 * 1a. a field holding a control character (NUL included) or U+FFFD (the
 *    mark of invalid UTF-8), in field order (`CONTROL_PATTERN`);
 * 2. a location that fails the location-name rule of the source
 *    (`LocationSchema.shape.name`: 1–64 letters, digits, `_`, `-`);
 * 3. a measurement that is not a number, then NaN, then infinite;
 * 4. a measurement outside its physical range ({@link WEATHER_RANGES});
 * 5. a timestamp that is ISO-8601 without offset (ambiguous), or not
 *    ISO-8601 with offset/`Z` at all (epoch numbers included: the extract
 *    always writes ISO text);
 * 6. a timestamp before `earliest` (default {@link WEATHER_EARLIEST}), then
 *    one later than `now + futureToleranceMs`. Forecasts are in the
 *    future by design, so the default tolerance is the forecast horizon of
 *    Open-Meteo ({@link FORECAST_HORIZON_MS}, 16 days), not clock skew.
 *
 * Records that pass every rule but share (location, ts in UTC) with a later
 * record holding different values (null differs from any number) are
 * superseded: the last one in source order wins, each earlier one is
 * quarantined on `ts` naming the record that superseded it. Copies with
 * identical values stay valid.
 *
 * @module
 */
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import { normaliseRecords } from "@pipeline/validate/records.ts";
import {
  LocationSchema,
  WEATHER_UNITS,
  WEATHER_VARIABLES,
} from "@pipeline/extract/openmeteo.ts";
import { CONTROL_PATTERN, NAIVE_ISO_PATTERN } from "@pipeline/validate/bars.ts";

// %% notebooks/02b_validate_weather.ipynb#weather-variable
/** One of {@link WEATHER_VARIABLES}: a measurement column. */
export type WeatherVariable = typeof WEATHER_VARIABLES[number];

// %% notebooks/02b_validate_weather.ipynb#weather-fields
/** The fields of a raw weather record (the raw frame minus `record`). */
export const WEATHER_FIELDS = ["location", "ts", ...WEATHER_VARIABLES] as const;
/** One of {@link WEATHER_FIELDS}. */
export type WeatherField = typeof WEATHER_FIELDS[number];

// %% notebooks/02b_validate_weather.ipynb#weather-valid-columns
/** Columns of the valid weather frame, in order. */
export const WEATHER_VALID_COLUMNS = [...WEATHER_FIELDS, "record"] as const;

// %% notebooks/02b_validate_weather.ipynb#weather-quarantine-columns
/** Columns of the weather quarantine frame, all Utf8. */
export const WEATHER_QUARANTINE_COLUMNS = [
  "record",
  "location",
  "ts",
  "field",
  "reason",
  "raw",
] as const;

// %% notebooks/02b_validate_weather.ipynb#forecast-horizon-ms
/** How far ahead Open-Meteo forecasts reach: 16 days, in ms. */
export const FORECAST_HORIZON_MS = 16 * 86_400_000;

// %% notebooks/02b_validate_weather.ipynb#weather-range
/** The plausible range of a measurement, bounds included; null: unbounded. */
export interface WeatherRange {
  min: number | null;
  max: number | null;
}

// %% notebooks/02b_validate_weather.ipynb#weather-ranges
/**
 * Physical ranges in the units of `WEATHER_UNITS`: temperature within the
 * records ever measured on Earth (−89.2 °C, 56.7 °C) with a margin, humidity
 * a percentage, precipitation (record: 305 mm in an hour) and wind speed
 * (record gust: 408 km/h) not negative and at most 500, so that the 24-hour
 * sums and means stay finite.
 */
export const WEATHER_RANGES: Readonly<Record<WeatherVariable, WeatherRange>> = {
  temperature_2m: { min: -90, max: 60 },
  relative_humidity_2m: { min: 0, max: 100 },
  precipitation: { min: 0, max: 500 },
  wind_speed_10m: { min: 0, max: 500 },
};

// %% notebooks/02b_validate_weather.ipynb#weather-earliest
/** The oldest plausible hour by default: Open-Meteo's archive starts in 1940. */
export const WEATHER_EARLIEST = new Date("1940-01-01T00:00:00Z");

// %% notebooks/02b_validate_weather.ipynb#validate-weather-options
/** Options of {@link validateWeather}. */
export interface ValidateWeatherOptions {
  /** The run's "now"; timestamps after `now + futureToleranceMs` are rejected. */
  now: Date;
  /** The oldest plausible timestamp. Default {@link WEATHER_EARLIEST}. */
  earliest?: Date | undefined;
  /** How far ahead of `now` a timestamp may be, in ms. Default {@link FORECAST_HORIZON_MS}. */
  futureToleranceMs?: number | undefined;
}

// %% notebooks/02b_validate_weather.ipynb#validate-weather-result
/** What {@link validateWeather} returns; `raw.height === valid.height + quarantine.height`. */
export interface ValidateWeatherResult {
  /** Records that passed, typed per the valid frame, in source order. */
  valid: pl.DataFrame;
  /** One row per rejected record ({@link WEATHER_QUARANTINE_COLUMNS}), in source order. */
  quarantine: pl.DataFrame;
}

// %% notebooks/02b_validate_weather.ipynb#weather-rule
/** One validation rule: which field it blames, its message and its test. */
export interface WeatherRule {
  /** The field the reason names. */
  field: WeatherField;
  /** What was wrong, without the field and value (`expected a number`). */
  message: string;
  /** True where the record breaks the rule (null counts as false). */
  test: pl.Expr;
}

// %% notebooks/02b_validate_weather.ipynb#text
/** The trimmed text of a field (column `__text_<field>`), null when blank. */
function text(field: WeatherField): pl.Expr {
  return pl.col(`__text_${field}`);
}

// %% notebooks/02b_validate_weather.ipynb#num
/** The parsed number of a measurement (column `__num_<field>`). */
function num(field: WeatherVariable): pl.Expr {
  return pl.col(`__num_${field}`);
}

// %% notebooks/02b_validate_weather.ipynb#range-message
/** The message of the range rule of `field`: `expected a value in -90..60 °C`. */
export function rangeMessage(field: WeatherVariable): string {
  const { min, max } = WEATHER_RANGES[field];
  const unit = WEATHER_UNITS[field];
  if (min !== null && max !== null) {
    return `expected a value in ${min}..${max} ${unit}`;
  }
  return min !== null
    ? `expected a value >= ${min} ${unit}`
    : `expected a value <= ${max} ${unit}`;
}

// %% notebooks/02b_validate_weather.ipynb#out-of-range
/** True where a measurement is outside {@link WEATHER_RANGES}. */
function outOfRange(field: WeatherVariable): pl.Expr {
  const { min, max } = WEATHER_RANGES[field];
  const below = min === null ? pl.lit(false) : num(field).lt(min);
  const above = max === null ? pl.lit(false) : num(field).gt(max);
  return below.or(above);
}

// %% notebooks/02b_validate_weather.ipynb#bad-locations
/**
 * The locations among `locations` that fail the source's location-name
 * rule, and the zod message for the first of them (per unique value, so
 * cheap on big frames).
 */
export function badLocations(locations: readonly (string | null)[]): {
  values: string[];
  message: string;
} {
  const schema = LocationSchema.shape.name;
  const values: string[] = [];
  let message = "expected 1-64 letters, digits, _ or -";
  for (const location of locations) {
    if (location === null || location.trim() === "") continue;
    const result = schema.safeParse(location);
    if (result.success) continue;
    if (values.length === 0) {
      message = result.error.issues[0]?.message ?? message;
    }
    values.push(location);
  }
  return { values, message };
}

// %% notebooks/02b_validate_weather.ipynb#weather-rules
/**
 * The rules of {@link validateWeather} in the order they are applied, given
 * the locations known to be bad and the earliest and latest allowed
 * timestamps (UTC ms).
 */
export function weatherRules(options: {
  badLocations: string[];
  locationMessage: string;
  earliestMs: number;
  latestMs: number;
}): WeatherRule[] {
  const { badLocations, locationMessage, earliestMs, latestMs } = options;
  const rule = (
    field: WeatherField,
    message: string,
    test: pl.Expr,
  ): WeatherRule => ({ field, message, test });
  return [
    ...(["location", "ts"] as const).map((f) =>
      rule(f, "missing value", text(f).isNull())
    ),
    ...WEATHER_FIELDS.map((f) =>
      rule(
        f,
        "contains a control character or invalid UTF-8",
        text(f).str.contains(CONTROL_PATTERN),
      )
    ),
    rule(
      "location",
      locationMessage,
      badLocations.length > 0
        ? pl.col("location").isIn(
          pl.lit(pl.Series("bad", badLocations, pl.Utf8)),
        )
        : pl.lit(false),
    ),
    ...WEATHER_VARIABLES.map((f) =>
      rule(f, "expected a number", text(f).isNotNull().and(num(f).isNull()))
    ),
    ...WEATHER_VARIABLES.map((f) =>
      rule(f, "expected a finite number", num(f).isNan())
    ),
    ...WEATHER_VARIABLES.map((f) =>
      rule(f, "expected a finite number", num(f).isInfinite())
    ),
    ...WEATHER_VARIABLES.map((f) => rule(f, rangeMessage(f), outOfRange(f))),
    rule(
      "ts",
      "ISO-8601 timestamp without UTC offset is ambiguous",
      pl.col("__ts").isNull().and(text("ts").str.contains(NAIVE_ISO_PATTERN)),
    ),
    rule(
      "ts",
      "expected ISO-8601 with UTC offset or Z",
      pl.col("__ts").isNull(),
    ),
    rule(
      "ts",
      `timestamp is before ${
        new Date(earliestMs).toISOString()
      }, the earliest plausible`,
      pl.col("__ts").cast(pl.Int64).lt(pl.lit(earliestMs)),
    ),
    rule(
      "ts",
      `timestamp is too far in the future (after ${
        new Date(latestMs).toISOString()
      })`,
      pl.col("__ts").cast(pl.Int64).gt(pl.lit(latestMs)),
    ),
  ];
}

// %% notebooks/02b_validate_weather.ipynb#normalise-raw
/**
 * The raw frame with every field as Utf8, `record` (null becomes `row <n>`)
 * and `__row`, the source position.
 *
 * @throws {EtlError} (stage `validate`) when a field column is missing: that
 *   is a broken extract, not a bad record.
 */
function normaliseRaw(raw: pl.DataFrame): pl.DataFrame {
  const columns = new Set(raw.columns);
  const missing = WEATHER_FIELDS.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new EtlError(
      `cannot validate weather: the raw frame has no column(s) ${
        missing.join(", ")
      }`,
      { stage: "validate" },
    );
  }
  return normaliseRecords(raw, WEATHER_FIELDS);
}

// %% notebooks/02b_validate_weather.ipynb#check-records
/**
 * Parses and checks a normalised frame in one lazy query: trimmed text
 * (`__text_*`, null when blank), numbers (`__num_*`, Float64), the
 * timestamp (`__ts`, UTC ms) and `__rule`, the index of the first broken
 * rule: the smallest index among the rules whose test is true, null if
 * none is (`minHorizontal` skips nulls).
 */
function checkRecords(frame: pl.DataFrame, rules: WeatherRule[]): pl.DataFrame {
  const trimmed = (f: WeatherField) => pl.col(f).str.strip();
  return frame.lazy()
    .withColumns(
      ...WEATHER_FIELDS.map((f) =>
        pl.when(trimmed(f).eq(pl.lit(""))).then(pl.lit(null).cast(pl.Utf8))
          .otherwise(trimmed(f)).alias(`__text_${f}`)
      ),
    )
    .withColumns(
      ...WEATHER_VARIABLES.map((f) =>
        text(f).cast(pl.Float64, false).alias(`__num_${f}`)
      ),
      text("ts").str.strptime(pl.Datetime("ms"), "%+")
        .cast(pl.Datetime("ms", "UTC")).alias("__ts"),
    )
    .withColumns(
      pl.minHorizontal(
        rules.map((r, i) =>
          pl.when(r.test).then(pl.lit(i)).otherwise(pl.lit(null))
        ),
      ).cast(pl.Int32).alias("__rule"),
    )
    .select(
      ...WEATHER_FIELDS,
      "record",
      "__row",
      "__ts",
      ...WEATHER_VARIABLES.map((f) => `__num_${f}`),
      "__rule",
    )
    .collectSync();
}

// %% notebooks/02b_validate_weather.ipynb#json-literal
/**
 * A text expression as a JSON literal: `"n/a"` with quotes, or `null`.
 * (The same as the private `quoted` of `@pipeline/validate/bars.ts`.)
 */
function jsonLiteral(expr: pl.Expr): pl.Expr {
  return pl.struct([expr.alias("v")]).struct.jsonEncode()
    .str.extract('^\\{"v":(.*)\\}$', 1);
}

// %% notebooks/02b_validate_weather.ipynb#differs
/** Whether two nullable numbers differ, a null differing from any number. */
function differs(a: pl.Expr, b: pl.Expr): pl.Expr {
  return a.neq(b).fillNull(a.isNull().neq(b.isNull()));
}

// %% notebooks/02b_validate_weather.ipynb#superseded-records
/**
 * Records that passed the rules but are superseded: an earlier copy of
 * (location, ts) whose values differ from the last copy. Returns `__row`
 * and `__by` (the record of the last copy).
 */
function supersededRecords(passed: pl.DataFrame): pl.DataFrame {
  const key = ["location", "__ts"] as const;
  const copies = passed.filter(pl.len().over(...key).gt(1));
  if (copies.height === 0) {
    return pl.DataFrame([
      pl.Series("__row", [], pl.Int64),
      pl.Series("__by", [], pl.Utf8),
    ]);
  }
  return copies
    .withColumns(
      pl.anyHorizontal(
        WEATHER_VARIABLES.map((f) =>
          differs(num(f), num(f).last().over(...key))
        ),
      ).alias("__differs"),
      pl.col("record").last().over(...key).alias("__by"),
    )
    .filter(pl.col("__differs"))
    .select("__row", "__by");
}

// %% notebooks/02b_validate_weather.ipynb#quarantine-frame
/**
 * Builds the quarantine frame from the records that broke a rule (with
 * `__rule`) and the superseded duplicates (with `__by`), in source order.
 */
function quarantineFrame(options: {
  broken: pl.DataFrame;
  superseded: pl.DataFrame;
  rules: WeatherRule[];
}): pl.DataFrame {
  const { broken, superseded, rules } = options;
  const codes = rules.map((_, i) => i);
  const byRule = (values: (string | number)[], dtype: pl.DataType) =>
    pl.col("__rule").replaceStrict(codes, values, undefined, dtype);
  const fieldValue = pl.concatList(WEATHER_FIELDS.map((f) => pl.col(f)))
    .lst.get(
      byRule(rules.map((r) => WEATHER_FIELDS.indexOf(r.field)), pl.Int32),
    );
  const ruleRows = broken.select(
    "__row",
    "record",
    ...WEATHER_FIELDS,
    byRule(rules.map((r) => r.field), pl.Utf8).alias("field"),
    pl.concatString([
      byRule(rules.map((r) => r.field), pl.Utf8),
      pl.lit(": "),
      byRule(rules.map((r) => r.message), pl.Utf8),
      pl.lit(", got "),
      jsonLiteral(fieldValue),
    ], "").alias("reason"),
  );
  const duplicateRows = superseded.select(
    "__row",
    "record",
    ...WEATHER_FIELDS,
    pl.lit("ts").alias("field"),
    pl.concatString([
      pl.lit(
        "ts: duplicate (location, ts) with different values; superseded by record ",
      ),
      pl.col("__by"),
    ], "").alias("reason"),
  );
  return pl.concat([ruleRows, duplicateRows], { how: "vertical" })
    .sort("__row")
    .select(
      "record",
      "location",
      "ts",
      "field",
      "reason",
      pl.struct(WEATHER_FIELDS.map((f) => pl.col(f))).struct.jsonEncode()
        .alias("raw"),
    );
}

// %% notebooks/02b_validate_weather.ipynb#validate-weather
/**
 * Splits a RAW weather frame into valid hourly records and quarantined
 * records (see the module doc for the rules). Never throws on bad data:
 * every rejected record becomes one quarantine row naming its record, field
 * and reason, so `raw.height === valid.height + quarantine.height`.
 *
 * @throws {EtlError} (stage `validate`) only when a field column is missing.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { validateWeather } from "@pipeline/validate/weather.ts";
 * const raw = pl.DataFrame({
 *   location: ["berlin", "berlin"],
 *   ts: ["2026-11-01T00:00:00Z", "2026-11-01T01:00:00Z"],
 *   temperature_2m: ["7.5", "7.1"], relative_humidity_2m: ["81", "120"],
 *   precipitation: ["0", null], wind_speed_10m: ["11.2", "10.8"],
 *   record: ["openmeteo:berlin:hourly[0]", "openmeteo:berlin:hourly[1]"],
 * });
 * const { quarantine } = validateWeather(raw, { now: new Date("2026-11-02T00:00:00Z") });
 * quarantine.getColumn("reason").get(0);
 * // 'relative_humidity_2m: expected a value in 0..100 %, got "120"'
 * ```
 */
export function validateWeather(
  raw: pl.DataFrame,
  options: ValidateWeatherOptions,
): ValidateWeatherResult {
  const {
    now,
    earliest = WEATHER_EARLIEST,
    futureToleranceMs = FORECAST_HORIZON_MS,
  } = options;
  const normalised = normaliseRaw(raw);
  const locations = normalised.select(pl.col("location").unique())
    .getColumn("location").toArray() as (string | null)[];
  const bad = badLocations(locations);
  const rules = weatherRules({
    badLocations: bad.values,
    locationMessage: bad.message,
    earliestMs: earliest.getTime(),
    latestMs: now.getTime() + futureToleranceMs,
  });
  const checked = checkRecords(normalised, rules);
  const passed = checked.filter(pl.col("__rule").isNull());
  const superseded = supersededRecords(passed);
  const isSuperseded = pl.col("__row").isIn(
    pl.lit(superseded.getColumn("__row")),
  );
  const valid =
    (superseded.height > 0 ? passed.filter(isSuperseded.not()) : passed)
      .select(
        pl.col("location"),
        pl.col("__ts").alias("ts"),
        ...WEATHER_VARIABLES.map((f) => num(f).alias(f)),
        pl.col("record"),
      );
  const quarantine = quarantineFrame({
    broken: checked.filter(pl.col("__rule").isNotNull()),
    superseded: passed.filter(isSuperseded).join(superseded, { on: "__row" }),
    rules,
  });
  return { valid, quarantine };
}
