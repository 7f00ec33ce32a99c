/**
 * Poison weather records: implausible hours and control characters are
 * quarantined with their field and reason.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  validateWeather,
  WEATHER_FIELDS,
  type WeatherField,
} from "@pipeline/validate/weather.ts";

const NOW = new Date("2026-11-03T12:00:00Z");

const GOOD: Record<WeatherField, string> = {
  location: "berlin",
  ts: "2026-11-01T00:00:00Z",
  temperature_2m: "7.5",
  relative_humidity_2m: "81",
  precipitation: "0",
  wind_speed_10m: "11.2",
};

function quarantined(
  record: Partial<Record<WeatherField, string>>,
  options: { earliest?: Date } = {},
): { field: string; reason: string } {
  const full = { ...GOOD, ...record };
  const raw = pl.DataFrame([
    ...WEATHER_FIELDS.map((f) => pl.Series(f, [full[f]], pl.Utf8)),
    pl.Series("record", ["openmeteo:berlin:hourly[0]"], pl.Utf8),
  ]);
  const { valid, quarantine } = validateWeather(raw, { now: NOW, ...options });
  assert.equal(valid.height, 0);
  assert.equal(quarantine.height, 1);
  const row = quarantine.toRecords()[0] as Record<string, string>;
  return { field: row.field!, reason: row.reason! };
}

Deno.test("validateWeather() quarantines hours before the earliest plausible", async (t) => {
  await t.step("the default earliest is 1940", () => {
    assert.deepEqual(quarantined({ ts: "1900-01-02T00:00:00Z" }), {
      field: "ts",
      reason:
        'ts: timestamp is before 1940-01-01T00:00:00.000Z, the earliest plausible, got "1900-01-02T00:00:00Z"',
    });
  });
  await t.step("earliest is an option", () => {
    const row = quarantined({ ts: "2026-10-31T23:00:00Z" }, {
      earliest: new Date("2026-11-01T00:00:00Z"),
    });
    assert.match(row.reason, /^ts: timestamp is before 2026-11-01T00:00:00/);
  });
});

Deno.test("validateWeather() quarantines NUL and control characters", async (t) => {
  for (
    const [field, value] of [
      ["location", "ber\u0000lin"],
      ["ts", "2026-11-01T00:00:00Z\u0000"],
      ["temperature_2m", "7\u00005"],
    ] as const
  ) {
    await t.step(`in ${field}`, () => {
      const row = quarantined({ [field]: value });
      assert.equal(row.field, field);
      assert.match(
        row.reason,
        new RegExp(`^${field}: contains a control character or invalid UTF-8`),
      );
    });
  }
});

Deno.test("validateWeather() bounds precipitation and wind so 24-hour sums stay finite", () => {
  assert.deepEqual(quarantined({ precipitation: "1e308" }), {
    field: "precipitation",
    reason: 'precipitation: expected a value in 0..500 mm, got "1e308"',
  });
});
