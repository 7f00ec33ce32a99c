import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import {
  dedupeWeather,
  transformWeather,
  WEATHER_COLUMNS,
  WEATHER_WINDOW_HOURS,
  withRolling24h,
} from "@pipeline/transform/weather.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

/** One valid-frame row; `hour` counts from T0. */
interface Row {
  location: string;
  hour: number;
  temperature?: number | null;
  precipitation?: number | null;
}

/** A valid weather frame (humidity 80, wind 10 throughout). */
function validFrame(rows: Row[]): pl.DataFrame {
  return pl.DataFrame({
    location: rows.map((r) => r.location),
    ts: rows.map((r) => T0 + r.hour * HOUR),
    temperature_2m: rows.map((r) => r.temperature ?? null),
    relative_humidity_2m: rows.map(() => 80),
    precipitation: rows.map((r) => r.precipitation ?? null),
    wind_speed_10m: rows.map(() => 10),
    record: rows.map((r, i) => `${r.location}[${i}]`),
  }, {
    schema: {
      location: pl.Utf8,
      ts: pl.Int64,
      temperature_2m: pl.Float64,
      relative_humidity_2m: pl.Float64,
      precipitation: pl.Float64,
      wind_speed_10m: pl.Float64,
      record: pl.Utf8,
    },
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

/** `hours` consecutive hours of `location` from `from`, temperature = hour. */
function hours(location: string, from: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    location,
    hour: from + i,
    temperature: from + i,
    precipitation: 0.5,
  }));
}

/** Column `name` of a frame as an array. */
const column = (frame: pl.DataFrame, name: string): unknown[] =>
  frame.getColumn(name).toArray();

/** The `ts` column as hours since T0. */
const hoursOf = (frame: pl.DataFrame): number[] =>
  (column(frame, "ts") as Date[]).map((d) => (d.getTime() - T0) / HOUR);

/** Column `name` of the rows of `location`. */
function of(frame: pl.DataFrame, location: string, name: string): unknown[] {
  return column(frame.filter(pl.col("location").eq(pl.lit(location))), name);
}

Deno.test("transformWeather() outputs the weather_hourly columns, sorted by location, ts", () => {
  const { weather } = transformWeather(validFrame([
    { location: "paris", hour: 1, temperature: 3 },
    { location: "berlin", hour: 2, temperature: 2 },
    { location: "paris", hour: 0, temperature: 4 },
    { location: "berlin", hour: 1, temperature: 1 },
  ]));
  assert.deepEqual(weather.columns, [...WEATHER_COLUMNS]);
  assert.deepEqual(weather.dtypes.map(String), [
    "DataType(String)",
    "DataType(Datetime(ms,UTC))",
    ...Array(6).fill("DataType(Float64)"),
  ]);
  assert.deepEqual(column(weather, "location"), [
    "berlin",
    "berlin",
    "paris",
    "paris",
  ]);
  assert.deepEqual(hoursOf(weather), [1, 2, 0, 1]);
  assert.deepEqual(column(weather, "temperature_2m"), [1, 2, 4, 3]);
});

Deno.test("transformWeather() drops exact duplicates and counts them", () => {
  const { weather, duplicates } = transformWeather(validFrame([
    { location: "berlin", hour: 0, temperature: 1 },
    { location: "berlin", hour: 1, temperature: 2 },
    { location: "berlin", hour: 0, temperature: 1 },
    { location: "paris", hour: 0, temperature: 1 },
    { location: "berlin", hour: 0, temperature: 1 },
  ]));
  assert.equal(duplicates, 2);
  assert.equal(weather.height, 3);
});

Deno.test("dedupeWeather() keeps the first copy in input order", () => {
  const { weather, duplicates } = dedupeWeather(
    validFrame([
      { location: "berlin", hour: 0, temperature: 1 },
      { location: "berlin", hour: 0, temperature: 1 },
    ]),
  );
  assert.equal(duplicates, 1);
  assert.deepEqual(column(weather, "record"), ["berlin[0]"]);
});

Deno.test("transformWeather() keeps null measurements null", () => {
  const { weather } = transformWeather(validFrame([
    { location: "berlin", hour: 0, temperature: null, precipitation: null },
  ]));
  assert.deepEqual(weather.row(0).slice(2), [
    null,
    80,
    null,
    10,
    null,
    null,
  ]);
});

Deno.test("withRolling24h() gives the 24-hour mean temperature and precipitation sum", async (t) => {
  assert.equal(WEATHER_WINDOW_HOURS, 24);
  await t.step("null for the first 23 hours, then full windows", () => {
    const out = withRolling24h(validFrame(hours("berlin", 0, 26)));
    const ma = of(out, "berlin", "temperature_2m_ma_24h");
    const sum = of(out, "berlin", "precipitation_24h");
    assert.deepEqual(ma.slice(0, 23), Array(23).fill(null));
    assert.deepEqual(sum.slice(0, 23), Array(23).fill(null));
    // hours 0..23: mean 11.5; 1..24: 12.5; 2..25: 13.5
    assert.deepEqual(ma.slice(23), [11.5, 12.5, 13.5]);
    assert.deepEqual(sum.slice(23), [12, 12, 12]);
  });
  await t.step("per location: windows never mix locations", () => {
    const rows = [...hours("a", 0, 24), ...hours("b", 100, 10)];
    const out = withRolling24h(validFrame(rows.reverse()));
    assert.deepEqual(of(out, "a", "temperature_2m_ma_24h").at(-1), 11.5);
    assert.deepEqual(
      of(out, "b", "temperature_2m_ma_24h"),
      Array(10).fill(null),
    );
  });
  await t.step("a missing hour nulls the 24 windows that span it", () => {
    const rows = hours("berlin", 0, 56).filter((r) => r.hour !== 30);
    const out = withRolling24h(validFrame(rows));
    const ma = column(out, "temperature_2m_ma_24h");
    const byHour = new Map(hoursOf(out).map((h, i) => [h, ma[i]]));
    assert.equal(byHour.get(29), 17.5);
    for (let h = 31; h <= 53; h++) assert.equal(byHour.get(h), null, `${h}`);
    // hours 31..54 are the first full window after the gap: mean 42.5
    assert.equal(byHour.get(54), 42.5);
    assert.equal(byHour.get(55), 43.5);
  });
  await t.step("a null value nulls the windows that hold it", () => {
    const rows = hours("berlin", 0, 30).map((r) =>
      r.hour === 5 ? { ...r, precipitation: null } : r
    );
    const out = withRolling24h(validFrame(rows));
    const sum = of(out, "berlin", "precipitation_24h");
    const ma = of(out, "berlin", "temperature_2m_ma_24h");
    // windows ending at 23..28 hold hour 5; the one ending at 29 does not
    assert.deepEqual(sum.slice(23), [null, null, null, null, null, null, 12]);
    assert.deepEqual(ma.slice(23), [11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5]);
  });
  await t.step("hours not one apart do not make a window", () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      location: "berlin",
      hour: 2 * i,
      temperature: 1,
      precipitation: 1,
    }));
    const out = withRolling24h(validFrame(rows));
    assert.equal(out.getColumn("precipitation_24h").nullCount(), 30);
  });
});

Deno.test("transformWeather() computes windows after dropping duplicates", () => {
  const rows = hours("berlin", 0, 24);
  const { weather, duplicates } = transformWeather(
    validFrame([...rows, rows[5]!, rows[23]!]),
  );
  assert.equal(duplicates, 2);
  assert.deepEqual(column(weather, "precipitation_24h").at(-1), 12);
});

Deno.test("transformWeather() returns an empty frame with the columns for an empty input", () => {
  const { weather, duplicates } = transformWeather(validFrame([]));
  assert.equal(weather.height, 0);
  assert.equal(duplicates, 0);
  assert.deepEqual(weather.columns, [...WEATHER_COLUMNS]);
});

Deno.test("transformWeather() throws an EtlError naming missing columns", () => {
  assert.throws(
    () => transformWeather(validFrame([]).drop("precipitation")),
    (err: unknown) =>
      err instanceof EtlError && err.stage === "transform" &&
      /missing column\(s\) precipitation/.test(err.message),
  );
});

Deno.test("transformWeather() reads a tz-naive ts as UTC", () => {
  const frame = validFrame([{ location: "berlin", hour: 3, temperature: 1 }])
    .withColumns(pl.col("ts").cast(pl.Int64).cast(pl.Datetime("ms")));
  const { weather } = transformWeather(frame);
  assert.equal(
    (column(weather, "ts")[0] as Date).toISOString(),
    "2026-11-01T03:00:00.000Z",
  );
});
