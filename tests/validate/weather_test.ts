import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import {
  LocationSchema,
  parseOpenMeteo,
  WEATHER_RAW_COLUMNS,
} from "@pipeline/extract/openmeteo.ts";
import {
  FORECAST_HORIZON_MS,
  validateWeather,
  type ValidateWeatherOptions,
  WEATHER_FIELDS,
  WEATHER_QUARANTINE_COLUMNS,
  WEATHER_VALID_COLUMNS,
  type WeatherField,
} from "@pipeline/validate/weather.ts";

const NOW = new Date("2026-11-02T00:00:00Z");

/** A record as text, null for a missing field. */
type RawRecord = Partial<Record<WeatherField | "record", string | null>>;

/** A valid hour: Berlin at 13:00 UTC on 2026-11-01. */
const GOOD: Required<RawRecord> = {
  location: "berlin",
  ts: "2026-11-01T13:00:00Z",
  temperature_2m: "7.5",
  relative_humidity_2m: "81",
  precipitation: "0.2",
  wind_speed_10m: "11.3",
  record: "openmeteo:berlin:hourly[0]",
};

/** A RAW frame of `records`, each a patch over {@link GOOD}. */
function rawFrame(records: RawRecord[]): pl.DataFrame {
  const full = records.map((r, i) => ({
    ...GOOD,
    record: `openmeteo:berlin:hourly[${i}]`,
    ...r,
  }));
  return pl.DataFrame(
    WEATHER_RAW_COLUMNS.map((f) =>
      pl.Series(f, full.map((r) => r[f] ?? null), pl.Utf8)
    ),
  );
}

/** The single quarantine row of `record`, as a JS object. */
function onlyQuarantined(
  record: RawRecord,
  options: ValidateWeatherOptions = { now: NOW },
) {
  const { valid, quarantine } = validateWeather(rawFrame([record]), options);
  assert.equal(valid.height, 0, "the record is not valid");
  assert.equal(quarantine.height, 1);
  return quarantine.toRecords()[0] as Record<string, string | null>;
}

/** The `column` of a frame as an array. */
const column = (frame: pl.DataFrame, name: string): unknown[] =>
  frame.getColumn(name).toArray();

const locationMessage = LocationSchema.shape.name.safeParse("a b").error
  ?.issues[0]?.message;

Deno.test("validateWeather() quarantines each broken rule with its field and reason", async (t) => {
  const cases: {
    name: string;
    record: RawRecord;
    field: string;
    reason: string;
  }[] = [
    {
      name: "a null location",
      record: { location: null },
      field: "location",
      reason: "location: missing value, got null",
    },
    {
      name: "a blank location",
      record: { location: "  " },
      field: "location",
      reason: 'location: missing value, got "  "',
    },
    {
      name: "a null ts",
      record: { ts: null },
      field: "ts",
      reason: "ts: missing value, got null",
    },
    {
      name: "an empty ts",
      record: { ts: "" },
      field: "ts",
      reason: 'ts: missing value, got ""',
    },
    {
      name: "a location with a space",
      record: { location: "new york" },
      field: "location",
      reason: `location: ${locationMessage}, got "new york"`,
    },
    {
      name: "a location with padding",
      record: { location: " berlin" },
      field: "location",
      reason: `location: ${locationMessage}, got " berlin"`,
    },
    {
      name: "a location longer than 64 characters",
      record: { location: "x".repeat(65) },
      field: "location",
      reason: `location: ${locationMessage}, got "${"x".repeat(65)}"`,
    },
    {
      name: "text in the temperature",
      record: { temperature_2m: "warm" },
      field: "temperature_2m",
      reason: 'temperature_2m: expected a number, got "warm"',
    },
    {
      name: "a JSON value in the wind speed, quoted as JSON",
      record: { wind_speed_10m: '{"v":1}' },
      field: "wind_speed_10m",
      reason: 'wind_speed_10m: expected a number, got "{\\"v\\":1}"',
    },
    {
      name: "NaN humidity",
      record: { relative_humidity_2m: "NaN" },
      field: "relative_humidity_2m",
      reason: 'relative_humidity_2m: expected a finite number, got "NaN"',
    },
    {
      name: "Infinity precipitation",
      record: { precipitation: "Infinity" },
      field: "precipitation",
      reason: 'precipitation: expected a finite number, got "Infinity"',
    },
    {
      name: "-inf temperature",
      record: { temperature_2m: "-inf" },
      field: "temperature_2m",
      reason: 'temperature_2m: expected a finite number, got "-inf"',
    },
    {
      name: "a temperature below -90 °C",
      record: { temperature_2m: "-90.1" },
      field: "temperature_2m",
      reason: 'temperature_2m: expected a value in -90..60 °C, got "-90.1"',
    },
    {
      name: "a temperature above 60 °C",
      record: { temperature_2m: "60.5" },
      field: "temperature_2m",
      reason: 'temperature_2m: expected a value in -90..60 °C, got "60.5"',
    },
    {
      name: "negative humidity",
      record: { relative_humidity_2m: "-1" },
      field: "relative_humidity_2m",
      reason: 'relative_humidity_2m: expected a value in 0..100 %, got "-1"',
    },
    {
      name: "humidity above 100 %",
      record: { relative_humidity_2m: "100.01" },
      field: "relative_humidity_2m",
      reason:
        'relative_humidity_2m: expected a value in 0..100 %, got "100.01"',
    },
    {
      name: "negative precipitation",
      record: { precipitation: "-0.1" },
      field: "precipitation",
      reason: 'precipitation: expected a value in 0..500 mm, got "-0.1"',
    },
    {
      name: "a negative wind speed",
      record: { wind_speed_10m: "-3" },
      field: "wind_speed_10m",
      reason: 'wind_speed_10m: expected a value in 0..500 km/h, got "-3"',
    },
    {
      name: "an ISO timestamp without offset (Open-Meteo's local form)",
      record: { ts: "2026-11-01T13:00" },
      field: "ts",
      reason:
        'ts: ISO-8601 timestamp without UTC offset is ambiguous, got "2026-11-01T13:00"',
    },
    {
      name: "a date-time with a space and no offset",
      record: { ts: "2026-11-01 13:00:00" },
      field: "ts",
      reason:
        'ts: ISO-8601 timestamp without UTC offset is ambiguous, got "2026-11-01 13:00:00"',
    },
    {
      name: "an unparseable timestamp",
      record: { ts: "tomorrow" },
      field: "ts",
      reason: 'ts: expected ISO-8601 with UTC offset or Z, got "tomorrow"',
    },
    {
      name: "an impossible date",
      record: { ts: "2026-02-30T10:00:00Z" },
      field: "ts",
      reason:
        'ts: expected ISO-8601 with UTC offset or Z, got "2026-02-30T10:00:00Z"',
    },
    {
      name: "epoch seconds (the extract always writes ISO text)",
      record: { ts: "1793581200" },
      field: "ts",
      reason: 'ts: expected ISO-8601 with UTC offset or Z, got "1793581200"',
    },
    {
      name: "a timestamp beyond the 16-day forecast horizon",
      record: { ts: "2026-11-18T00:00:01Z" },
      field: "ts",
      reason:
        'ts: timestamp is too far in the future (after 2026-11-18T00:00:00.000Z), got "2026-11-18T00:00:01Z"',
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const row = onlyQuarantined(c.record);
      assert.equal(row.field, c.field);
      assert.equal(row.reason, c.reason);
      assert.equal(row.record, "openmeteo:berlin:hourly[0]");
    });
  }
});

Deno.test("validateWeather() applies the first failing rule", async (t) => {
  const cases: {
    name: string;
    record: RawRecord;
    field: string;
    reason: RegExp;
  }[] = [
    {
      name: "missing location before missing ts",
      record: { ts: null, location: null },
      field: "location",
      reason: /^location: missing value/,
    },
    {
      name: "missing before wrong type",
      record: { ts: null, temperature_2m: "n/a" },
      field: "ts",
      reason: /^ts: missing value/,
    },
    {
      name: "location before numbers",
      record: { location: "a b", precipitation: "NaN" },
      field: "location",
      reason: /^location: /,
    },
    {
      name: "wrong type before NaN in any field",
      record: { temperature_2m: "NaN", wind_speed_10m: "windy" },
      field: "wind_speed_10m",
      reason: /^wind_speed_10m: expected a number/,
    },
    {
      name: "NaN before infinite",
      record: { temperature_2m: "inf", wind_speed_10m: "NaN" },
      field: "wind_speed_10m",
      reason: /^wind_speed_10m: expected a finite number, got "NaN"/,
    },
    {
      name: "ranges in field order",
      record: { precipitation: "-1", relative_humidity_2m: "101" },
      field: "relative_humidity_2m",
      reason: /^relative_humidity_2m: expected a value in 0\.\.100/,
    },
    {
      name: "range before timestamp",
      record: { temperature_2m: "99", ts: "garbage" },
      field: "temperature_2m",
      reason: /^temperature_2m: expected a value in/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const row = onlyQuarantined(c.record);
      assert.equal(row.field, c.field);
      assert.match(row.reason ?? "", c.reason);
    });
  }
});

Deno.test("validateWeather() lets null and blank measurements through as null", () => {
  const { valid, quarantine } = validateWeather(
    rawFrame([
      { temperature_2m: null },
      {
        ts: "2026-11-01T14:00:00Z",
        relative_humidity_2m: "",
        precipitation: " ",
        wind_speed_10m: null,
      },
    ]),
    { now: NOW },
  );
  assert.equal(quarantine.height, 0);
  assert.deepEqual(
    valid.select(
      "temperature_2m",
      "relative_humidity_2m",
      "precipitation",
      "wind_speed_10m",
    ).rows(),
    [[null, 81, 0.2, 11.3], [7.5, null, null, null]],
  );
});

Deno.test("validateWeather() accepts the range bounds", () => {
  const { valid, quarantine } = validateWeather(
    rawFrame([
      { temperature_2m: "-90", relative_humidity_2m: "0", precipitation: "0" },
      {
        ts: "2026-11-01T14:00:00Z",
        temperature_2m: "60",
        relative_humidity_2m: "100",
        wind_speed_10m: "0",
      },
    ]),
    { now: NOW },
  );
  assert.equal(quarantine.height, 0);
  assert.equal(valid.height, 2);
});

Deno.test("validateWeather() reads ISO-8601 with offset or Z as the same UTC instant", () => {
  const { valid, quarantine } = validateWeather(
    rawFrame([
      { location: "a", ts: "2026-11-01T13:00:00Z" },
      { location: "b", ts: "2026-11-01T14:00:00+01:00" },
      { location: "c", ts: "2026-11-01T08:00:00.000-05:00" },
      { location: "d", ts: " 2026-11-01T13:00:00+00:00 " },
    ]),
    { now: NOW },
  );
  assert.equal(quarantine.height, 0);
  const instants = (column(valid, "ts") as Date[]).map((d) => d.toISOString());
  assert.deepEqual(instants, Array(4).fill("2026-11-01T13:00:00.000Z"));
});

Deno.test("validateWeather() types the valid frame per the contract, in source order", () => {
  const { valid } = validateWeather(
    rawFrame([
      { location: "Hamburg_Nord-1", temperature_2m: "-1.2" },
      { temperature_2m: "n/a" },
      { relative_humidity_2m: " 81.0 ", wind_speed_10m: "1.13e1" },
    ]),
    { now: NOW },
  );
  assert.deepEqual(valid.columns, [...WEATHER_VALID_COLUMNS]);
  assert.deepEqual(valid.dtypes.map(String), [
    "DataType(String)",
    "DataType(Datetime(ms,UTC))",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(Float64)",
    "DataType(String)",
  ]);
  assert.deepEqual(
    valid.select(
      "location",
      "temperature_2m",
      "relative_humidity_2m",
      "wind_speed_10m",
      "record",
    ).rows(),
    [
      ["Hamburg_Nord-1", -1.2, 81, 11.3, "openmeteo:berlin:hourly[0]"],
      ["berlin", 7.5, 81, 11.3, "openmeteo:berlin:hourly[2]"],
    ],
  );
});

Deno.test("validateWeather() allows forecasts up to the horizon", async (t) => {
  await t.step("default: 16 days ahead passes", () => {
    const ts = new Date(NOW.getTime() + FORECAST_HORIZON_MS).toISOString();
    assert.equal(ts, "2026-11-18T00:00:00.000Z");
    const { valid } = validateWeather(rawFrame([{ ts }]), { now: NOW });
    assert.equal(valid.height, 1);
  });
  await t.step("the past is never too old", () => {
    const { valid } = validateWeather(
      rawFrame([{ ts: "1940-01-01T00:00:00Z" }]),
      { now: NOW },
    );
    assert.equal(valid.height, 1);
  });
  await t.step("futureToleranceMs 0 rejects the next hour", () => {
    const row = onlyQuarantined({ ts: "2026-11-02T01:00:00Z" }, {
      now: NOW,
      futureToleranceMs: 0,
    });
    assert.equal(
      row.reason,
      'ts: timestamp is too far in the future (after 2026-11-02T00:00:00.000Z), got "2026-11-02T01:00:00Z"',
    );
  });
});

Deno.test("validateWeather() keeps identical duplicates of (location, ts) valid", () => {
  const { valid, quarantine } = validateWeather(
    rawFrame([
      {},
      { temperature_2m: null },
      { temperature_2m: null },
      // the same values after normalisation: UTC ts, trailing zero
      { ts: "2026-11-01T14:00:00+01:00", temperature_2m: "7.50" },
    ]),
    { now: NOW },
  );
  // record 1 and 2 (null temperature) differ from record 3: superseded
  assert.deepEqual(column(quarantine, "record"), [
    "openmeteo:berlin:hourly[1]",
    "openmeteo:berlin:hourly[2]",
  ]);
  assert.deepEqual(column(valid, "record"), [
    "openmeteo:berlin:hourly[0]",
    "openmeteo:berlin:hourly[3]",
  ]);
});

Deno.test("validateWeather() keeps the last of conflicting duplicates and quarantines the earlier ones", async (t) => {
  await t.step("two copies, another location between them", () => {
    const { valid, quarantine } = validateWeather(
      rawFrame([{ temperature_2m: "7.4" }, { location: "paris" }, {
        ts: "2026-11-01T14:00:00+01:00",
      }]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), [
      "openmeteo:berlin:hourly[1]",
      "openmeteo:berlin:hourly[2]",
    ]);
    assert.deepEqual(quarantine.toRecords(), [{
      record: "openmeteo:berlin:hourly[0]",
      location: "berlin",
      ts: "2026-11-01T13:00:00Z",
      field: "ts",
      reason:
        "ts: duplicate (location, ts) with different values; superseded by record openmeteo:berlin:hourly[2]",
      raw: JSON.stringify({
        ...GOOD,
        temperature_2m: "7.4",
        record: undefined,
      }),
    }]);
  });
  await t.step("a null differs from a number", () => {
    const { valid, quarantine } = validateWeather(
      rawFrame([{}, { precipitation: null }]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), ["openmeteo:berlin:hourly[1]"]);
    assert.deepEqual(column(valid, "precipitation"), [null]);
    assert.deepEqual(column(quarantine, "record"), [
      "openmeteo:berlin:hourly[0]",
    ]);
  });
  await t.step("a copy equal to the last one stays valid", () => {
    const { valid, quarantine } = validateWeather(
      rawFrame([{}, { wind_speed_10m: "20" }, {}]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), [
      "openmeteo:berlin:hourly[0]",
      "openmeteo:berlin:hourly[2]",
    ]);
    assert.deepEqual(column(quarantine, "reason"), [
      "ts: duplicate (location, ts) with different values; superseded by record openmeteo:berlin:hourly[2]",
    ]);
  });
  await t.step("a copy that breaks a rule is not a duplicate", () => {
    const { valid, quarantine } = validateWeather(
      rawFrame([{}, { wind_speed_10m: "-1" }]),
      { now: NOW },
    );
    assert.deepEqual(column(valid, "record"), ["openmeteo:berlin:hourly[0]"]);
    assert.deepEqual(column(quarantine, "reason"), [
      'wind_speed_10m: expected a value in 0..500 km/h, got "-1"',
    ]);
  });
});

Deno.test("validateWeather() builds the quarantine frame: raw text, JSON raw record, source order", () => {
  const { valid, quarantine } = validateWeather(
    rawFrame([
      { temperature_2m: "7.4" }, // superseded by the last record
      { location: null, precipitation: "x" },
      { location: "paris" },
      { relative_humidity_2m: "-5", record: "openmeteo:berlin:hourly[99]" },
      {},
    ]),
    { now: NOW },
  );
  assert.equal(valid.height + quarantine.height, 5);
  assert.deepEqual(quarantine.columns, [...WEATHER_QUARANTINE_COLUMNS]);
  assert.deepEqual(
    quarantine.dtypes.map((d) => d.variant),
    WEATHER_QUARANTINE_COLUMNS.map(() => "String"),
  );
  assert.deepEqual(column(quarantine, "record"), [
    "openmeteo:berlin:hourly[0]",
    "openmeteo:berlin:hourly[1]",
    "openmeteo:berlin:hourly[99]",
  ]);
  assert.deepEqual(column(quarantine, "location"), ["berlin", null, "berlin"]);
  assert.deepEqual(column(quarantine, "field"), [
    "ts",
    "location",
    "relative_humidity_2m",
  ]);
  const raws = (column(quarantine, "raw") as string[]).map((r) =>
    JSON.parse(r)
  );
  assert.deepEqual(Object.keys(raws[1]), [...WEATHER_FIELDS]);
  assert.deepEqual(raws[1], {
    location: null,
    ts: GOOD.ts,
    temperature_2m: GOOD.temperature_2m,
    relative_humidity_2m: GOOD.relative_humidity_2m,
    precipitation: "x",
    wind_speed_10m: GOOD.wind_speed_10m,
  });
});

Deno.test("validateWeather() names records by row when the record column is absent or null", () => {
  const raw = rawFrame([{ precipitation: "x" }, {
    precipitation: "y",
    record: null,
  }]);
  assert.deepEqual(
    column(validateWeather(raw, { now: NOW }).quarantine, "record"),
    ["openmeteo:berlin:hourly[0]", "row 2"],
  );
  assert.deepEqual(
    column(
      validateWeather(raw.drop("record"), { now: NOW }).quarantine,
      "record",
    ),
    ["row 1", "row 2"],
  );
});

Deno.test("validateWeather() throws an EtlError naming a missing field column", () => {
  assert.throws(
    () => validateWeather(rawFrame([{}]).drop("precipitation"), { now: NOW }),
    (err: unknown) =>
      err instanceof EtlError && err.stage === "validate" &&
      /no column\(s\) precipitation/.test(err.message),
  );
});

Deno.test("validateWeather() casts non-text raw columns to text first", () => {
  const raw = rawFrame([{}]).withColumns(
    pl.col("relative_humidity_2m").cast(pl.Float64),
  );
  const { valid, quarantine } = validateWeather(raw, { now: NOW });
  assert.equal(quarantine.height, 0);
  assert.deepEqual(column(valid, "relative_humidity_2m"), [81]);
});

Deno.test("validateWeather() returns empty frames with the contract columns for an empty input", () => {
  const { valid, quarantine } = validateWeather(rawFrame([]), { now: NOW });
  assert.equal(valid.height, 0);
  assert.equal(quarantine.height, 0);
  assert.deepEqual(valid.columns, [...WEATHER_VALID_COLUMNS]);
  assert.deepEqual(quarantine.columns, [...WEATHER_QUARANTINE_COLUMNS]);
});

Deno.test("validateWeather() passes a parsed Open-Meteo body, its null hour included", async () => {
  const body = await Deno.readTextFile(
    new URL("../fixtures/openmeteo/hourly_berlin.json", import.meta.url),
  );
  const raw = parseOpenMeteo({
    body,
    partition: "berlin 2026-11-01..2026-11-03",
    params: {
      location: "berlin",
      latitude: 52.52,
      longitude: 13.41,
      start: "2026-11-01T00:00:00Z",
      end: "2026-11-03T00:00:00Z",
    },
  });
  const { valid, quarantine } = validateWeather(raw, { now: NOW });
  assert.equal(quarantine.height, 0);
  assert.equal(valid.height, raw.height);
  assert.equal(valid.getColumn("temperature_2m").nullCount(), 1);
});

Deno.test("validateWeather() keeps raw.height == valid.height + quarantine.height", () => {
  const records: RawRecord[] = [];
  const defects: RawRecord[] = [
    {},
    { temperature_2m: "n/a" },
    { precipitation: "-1" },
    { ts: "2026-11-01T00:00" },
    { location: null },
    { relative_humidity_2m: null },
  ];
  for (let i = 0; i < 600; i++) {
    const hour = new Date(Date.UTC(2026, 10, 1, i % 24)).toISOString();
    records.push({
      ts: hour,
      location: `loc${i % 7}`,
      temperature_2m: String(i % 40 - 10),
      ...defects[i % defects.length],
    });
  }
  const raw = rawFrame(records);
  const { valid, quarantine } = validateWeather(raw, { now: NOW });
  assert.equal(raw.height, valid.height + quarantine.height);
  assert.ok(quarantine.height > 0 && valid.height > 0);
});
