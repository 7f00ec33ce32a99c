import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { loadWeather, WEATHER_HOURLY } from "@pipeline/load/weather.ts";
import { WEATHER_COLUMNS } from "@pipeline/transform/weather.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

/** A transformed weather frame: `count` hours of each location from T0. */
function weather(
  locations: string[],
  count: number,
  patch: { temperature?: number | null } = {},
): pl.DataFrame {
  const location: string[] = [], ts: number[] = [];
  for (const l of locations) {
    for (let h = 0; h < count; h++) {
      location.push(l);
      ts.push(T0 + h * HOUR);
    }
  }
  const n = location.length;
  const fill = (v: number | null) => Array(n).fill(v) as (number | null)[];
  return pl.DataFrame({
    location,
    ts,
    temperature_2m: fill(
      patch.temperature === undefined ? 7.5 : patch.temperature,
    ),
    relative_humidity_2m: fill(81),
    precipitation: ts.map((_, i) => (i % 2 === 0 ? null : 0.2)),
    wind_speed_10m: fill(11.3),
    temperature_2m_ma_24h: fill(null),
    precipitation_24h: fill(null),
  }, {
    schema: {
      location: pl.Utf8,
      ts: pl.Int64,
      temperature_2m: pl.Float64,
      relative_humidity_2m: pl.Float64,
      precipitation: pl.Float64,
      wind_speed_10m: pl.Float64,
      temperature_2m_ma_24h: pl.Float64,
      precipitation_24h: pl.Float64,
    },
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

/** Loads `frame` in one transaction. */
function load(client: SqlClient, frame: pl.DataFrame, loadId: string) {
  return client.transaction((tx) =>
    loadWeather(tx, { weather: frame }, { loadId })
  );
}

Deno.test("WEATHER_HOURLY maps the transform's columns, keyed by (location, ts)", () => {
  assert.equal(WEATHER_HOURLY.name, "weather_hourly");
  assert.equal(WEATHER_HOURLY.entity, "location");
  assert.equal(WEATHER_HOURLY.time, "ts");
  assert.deepEqual(WEATHER_HOURLY.columns, [...WEATHER_COLUMNS]);
});

dbTest(
  "the weather migration creates weather_hourly with nullable measurements",
  async (db) => {
    const { rows } = await db.client.query<
      { column_name: string; data_type: string; is_nullable: string }
    >(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_name = 'weather_hourly' ORDER BY ordinal_position`,
    );
    const measure = (name: string) => ({
      column_name: name,
      data_type: "double precision",
      is_nullable: "YES",
    });
    assert.deepEqual(rows, [
      { column_name: "location", data_type: "text", is_nullable: "NO" },
      {
        column_name: "ts",
        data_type: "timestamp with time zone",
        is_nullable: "NO",
      },
      ...WEATHER_COLUMNS.slice(2).map(measure),
      { column_name: "load_id", data_type: "uuid", is_nullable: "NO" },
    ]);
    const key = await db.client.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = 'weather_hourly'::regclass AND i.indisprimary
     ORDER BY array_position(i.indkey, a.attnum)`,
    );
    assert.deepEqual(key.rows.map((r) => r.attname), ["location", "ts"]);
  },
);

dbTest(
  "loadWeather() inserts a fresh batch and stores null measurements as NULL",
  async (db) => {
    const loadId = crypto.randomUUID();
    const results = await load(
      db.client,
      weather(["berlin", "paris"], 3),
      loadId,
    );
    assert.deepEqual(results, [{
      table: "weather_hourly",
      rows: 6,
      inserted: 6,
      updated: 0,
      unchanged: 0,
    }]);
    const { rows } = await db.client.query<{
      ts: Date;
      temperature_2m: number;
      precipitation: number | null;
      temperature_2m_ma_24h: number | null;
      load_id: string;
    }>(
      `SELECT ts, temperature_2m, precipitation, temperature_2m_ma_24h, load_id
     FROM weather_hourly WHERE location = 'paris' ORDER BY ts`,
    );
    assert.deepEqual(
      rows.map((r) => [
        new Date(r.ts).getTime(),
        r.temperature_2m,
        r.precipitation,
        r.temperature_2m_ma_24h,
        r.load_id,
      ]),
      [
        [T0, 7.5, 0.2, null, loadId],
        [T0 + HOUR, 7.5, null, null, loadId],
        [T0 + 2 * HOUR, 7.5, 0.2, null, loadId],
      ],
    );
    const nulls = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM weather_hourly WHERE precipitation IS NULL",
    );
    assert.equal(nulls.rows[0]?.n, 3);
  },
);

dbTest("loadWeather() re-run of the same batch changes nothing", async (db) => {
  const first = crypto.randomUUID(), second = crypto.randomUUID();
  const batch = weather(["berlin"], 4);
  await load(db.client, batch, first);
  const results = await load(db.client, batch, second);
  assert.deepEqual(results, [{
    table: "weather_hourly",
    rows: 4,
    inserted: 0,
    updated: 0,
    unchanged: 4,
  }]);
  const { rows } = await db.client.query<{ load_id: string; n: number }>(
    "SELECT load_id, count(*)::int AS n FROM weather_hourly GROUP BY load_id",
  );
  assert.deepEqual(rows, [{ load_id: first, n: 4 }]);
});

dbTest(
  "loadWeather() updates changed hours, NULL to a value and back",
  async (db) => {
    const first = crypto.randomUUID(), second = crypto.randomUUID();
    const third = crypto.randomUUID();
    await load(db.client, weather(["berlin"], 2, { temperature: null }), first);
    const toValue = await load(
      db.client,
      weather(["berlin"], 3, { temperature: 6 }),
      second,
    );
    assert.deepEqual(
      [toValue[0]?.inserted, toValue[0]?.updated, toValue[0]?.unchanged],
      [1, 2, 0],
    );
    const toNull = await load(
      db.client,
      weather(["berlin"], 3, { temperature: null }),
      third,
    );
    assert.deepEqual(
      [toNull[0]?.inserted, toNull[0]?.updated, toNull[0]?.unchanged],
      [0, 3, 0],
    );
    const { rows } = await db.client.query<
      { temperature_2m: number | null; load_id: string }
    >("SELECT temperature_2m, load_id FROM weather_hourly ORDER BY ts");
    assert.deepEqual(
      rows,
      Array(3).fill({ temperature_2m: null, load_id: third }),
    );
  },
);
