import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { parseOpenMeteo } from "@pipeline/extract/openmeteo.ts";
import { validateWeather } from "@pipeline/validate/weather.ts";
import { transformWeather } from "@pipeline/transform/weather.ts";
import {
  hoursInWindow,
  weatherChecks,
} from "@pipeline/datasets/weather/checks.ts";
import { evaluateChecks } from "@pipeline/quality/evaluate.ts";

/** Four hours after the fixture's last hour (2026-11-02T23:00Z). */
const NOW = new Date("2026-11-03T03:00:00Z");

/** The 48 hours of `hourly_berlin.json` (one null temperature), checked. */
async function berlin() {
  const raw = parseOpenMeteo({
    body: await Deno.readTextFile(
      new URL("../../fixtures/openmeteo/hourly_berlin.json", import.meta.url),
    ),
    partition: "berlin 2026-11-01..2026-11-03",
    params: {
      location: "berlin",
      latitude: 52.52,
      longitude: 13.41,
      start: "2026-11-01T00:00:00Z",
      end: "2026-11-03T00:00:00Z",
    },
  });
  const { valid } = validateWeather(raw, { now: NOW });
  return { valid, batch: { weather: transformWeather(valid).weather } };
}

Deno.test("weatherChecks() is row count, null rates of the measures, freshness, uniqueness", () => {
  assert.deepEqual(weatherChecks().map((c) => c.spec.name), [
    "row_count",
    "null_rate.location",
    "null_rate.ts",
    "null_rate.temperature_2m",
    "null_rate.relative_humidity_2m",
    "null_rate.precipitation",
    "null_rate.wind_speed_10m",
    "freshness",
    "unique_key.weather_hourly",
    "finite.weather_hourly",
  ]);
});

Deno.test("weatherChecks() over the Berlin fixture", async (t) => {
  const input = await berlin();
  await t.step("48 of 48 hours, one null temperature: all pass", () => {
    const outcomes = evaluateChecks(weatherChecks(), { ...input, now: NOW });
    assert.deepEqual(outcomes.filter((o) => o.status !== "pass"), []);
    const rows = outcomes.find((o) => o.check === "row_count")!;
    assert.deepEqual([rows.observed, rows.expected], [48, 48]);
    const temp = outcomes.find((o) => o.check === "null_rate.temperature_2m")!;
    assert.equal(temp.observed, 1 / 48);
  });
  await t.step("a day later the data is stale: a warning", () => {
    const later = new Date("2026-11-04T03:00:00Z");
    const outcomes = evaluateChecks(weatherChecks(), { ...input, now: later });
    assert.deepEqual(
      outcomes.filter((o) => o.status !== "pass").map((
        o,
      ) => [o.check, o.status, o.observed]),
      [["freshness", "warn", 28 * 3600]],
    );
  });
  await t.step("half the hours missing warns on the row count", () => {
    const weather = input.batch.weather;
    const gappy = weather.filter(
      pl.col("ts").dt.hour().modulo(2).eq(0).or(
        pl.col("ts").eq(pl.col("ts").max()),
      ),
    );
    const outcomes = evaluateChecks(weatherChecks(), {
      ...input,
      batch: { weather: gappy },
      now: NOW,
    });
    const rows = outcomes.find((o) => o.check === "row_count")!;
    assert.deepEqual([rows.status, rows.observed, rows.expected], [
      "warn",
      25,
      48,
    ]);
  });
});

Deno.test("hoursInWindow() counts the hours from first to last ts", () => {
  const frame = pl.DataFrame([
    pl.Series("ts", [0, 5 * 3600_000], pl.Int64).cast(pl.Datetime("ms", "UTC")),
  ]);
  assert.equal(hoursInWindow(frame), 6);
});
