/**
 * The weather dataset end to end: a parsed Open-Meteo body (plus defects
 * and duplicates) through validate, transform and load, directly and
 * through the run loop.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { weatherDataset } from "@pipeline/datasets/weather/mod.ts";
import type { Source } from "@pipeline/extract/source.ts";
import {
  parseOpenMeteo,
  WEATHER_RAW_COLUMNS,
} from "@pipeline/extract/openmeteo.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { loadQuarantine } from "@pipeline/load/quarantine.ts";
import { runPipeline } from "@pipeline/run.ts";
import { countsReconcile } from "@pipeline/summary.ts";

const NOW = new Date("2026-11-03T06:00:00Z");
const PARTITION = "berlin 2026-11-01..2026-11-03";

/** The 48 hours of `hourly_berlin.json` (one null temperature) as a raw frame. */
async function fixtureFrame(): Promise<pl.DataFrame> {
  return parseOpenMeteo({
    body: await Deno.readTextFile(
      new URL("../../fixtures/openmeteo/hourly_berlin.json", import.meta.url),
    ),
    partition: PARTITION,
    params: {
      location: "berlin",
      latitude: 52.52,
      longitude: 13.41,
      start: "2026-11-01T00:00:00Z",
      end: "2026-11-03T00:00:00Z",
    },
  });
}

/** Extra raw records: two defects, an exact and a conflicting duplicate. */
function extraRecords(raw: pl.DataFrame): pl.DataFrame {
  const first = raw.row(0);
  const patch = (record: string, values: Record<string, string | null>) =>
    Object.fromEntries(
      WEATHER_RAW_COLUMNS.map((c, i) => [c, c in values ? values[c] : first[i]])
        .concat([["record", record]]),
    ) as Record<string, string | null>;
  const rows = [
    patch("extra:1", { relative_humidity_2m: "130" }),
    patch("extra:2", { ts: "2026-11-01T05:00" }),
    patch("extra:3", {}), // identical to hourly[0]: a duplicate
    patch("extra:4", { ts: "2026-11-01T01:00:00Z", temperature_2m: "-3" }),
  ];
  return pl.DataFrame(
    WEATHER_RAW_COLUMNS.map((c) =>
      pl.Series(c, rows.map((r) => r[c] ?? null), pl.Utf8)
    ),
  );
}

/** The fixture plus the extra records, as one raw frame. */
async function rawFrame(): Promise<pl.DataFrame> {
  const raw = await fixtureFrame();
  return pl.concat([raw, extraRecords(raw)], { how: "vertical" });
}

/** validate → transform → load (with the quarantine) in one transaction. */
async function runStages(client: SqlClient, raw: pl.DataFrame) {
  const loadId = crypto.randomUUID();
  const { valid, quarantine } = weatherDataset.validate(raw, { now: NOW });
  const transformed = weatherDataset.transform(valid);
  const loaded = await client.transaction(async (tx) => ({
    tables: await weatherDataset.load(tx, transformed.batch, { loadId }),
    quarantined: await loadQuarantine(tx, quarantine, {
      loadId,
      source: "openmeteo",
      dataset: weatherDataset.name,
      entityColumn: weatherDataset.entityColumn,
      quarantinedAt: NOW,
    }),
  }));
  return { valid, quarantine, transformed, loaded };
}

Deno.test("weatherDataset describes the weather dataset and is registered", () => {
  assert.equal(weatherDataset.name, "weather");
  assert.equal(weatherDataset.entityColumn, "location");
  assert.deepEqual(weatherDataset.tables, [
    { name: "weather_hourly", dateColumn: "ts" },
  ]);
  assert.equal(DATASETS.weather, weatherDataset);
});

dbTest(
  "weatherDataset takes an Open-Meteo frame through validate, transform and load",
  async (db, t) => {
    const raw = await rawFrame();
    assert.equal(raw.height, 52);
    const first = await runStages(db.client, raw);

    await t.step("counts reconcile", () => {
      const { valid, quarantine, transformed } = first;
      assert.equal(raw.height, valid.height + quarantine.height);
      assert.deepEqual(
        [quarantine.height, transformed.duplicates, transformed.rows],
        [3, 1, 48],
      );
      assert.deepEqual(transformed.dates, ["2026-11-01", "2026-11-02"]);
      assert.deepEqual(first.loaded.tables, [{
        table: "weather_hourly",
        rows: 48,
        inserted: 48,
        updated: 0,
        unchanged: 0,
      }]);
      assert.equal(first.loaded.quarantined, 3);
    });

    await t.step(
      "the warehouse holds every hour, the missing one as NULL",
      async () => {
        const { rows } = await db.client.query<
          { n: number; null_temperature: number; hours: number }
        >(
          `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE temperature_2m IS NULL)::int
                AS null_temperature,
              count(DISTINCT ts)::int AS hours
       FROM weather_hourly WHERE location = 'berlin'`,
        );
        assert.deepEqual(rows, [{ n: 48, null_temperature: 1, hours: 48 }]);
      },
    );

    await t.step(
      "the warehouse matches the transformed frame, derived columns included",
      async () => {
        const { rows } = await db.client.query<Record<string, unknown>>(
          `SELECT location, ts, temperature_2m, relative_humidity_2m,
              precipitation, wind_speed_10m, temperature_2m_ma_24h,
              precipitation_24h
       FROM weather_hourly ORDER BY location, ts`,
        );
        const expected = first.transformed.batch.weather.toRecords();
        assert.equal(rows.length, expected.length);
        rows.forEach((row, i) => {
          const want = expected[i]!;
          for (const [k, v] of Object.entries(want)) {
            const got = k === "ts"
              ? new Date(row[k] as Date).getTime()
              : row[k];
            const exp = k === "ts" ? (v as unknown as Date).getTime() : v;
            assert.deepEqual(got, exp, `row ${i} ${k}`);
          }
        });
        const derived = expected.filter((r) => r.precipitation_24h !== null);
        assert.ok(derived.length > 0, "some hours have a full 24-hour window");
      },
    );

    await t.step("the quarantine names the location and why", async () => {
      const { rows } = await db.client.query<
        { record: string; entity: string; field: string; reason: string }
      >(
        `SELECT record, entity, field, reason FROM quarantine
       WHERE dataset = 'weather' ORDER BY record`,
      );
      assert.deepEqual(rows, [
        {
          record: "extra:1",
          entity: "berlin",
          field: "relative_humidity_2m",
          reason:
            'relative_humidity_2m: expected a value in 0..100 %, got "130"',
        },
        {
          record: "extra:2",
          entity: "berlin",
          field: "ts",
          reason:
            'ts: ISO-8601 timestamp without UTC offset is ambiguous, got "2026-11-01T05:00"',
        },
        {
          record: `openmeteo:${PARTITION}:hourly[1]`,
          entity: "berlin",
          field: "ts",
          reason:
            "ts: duplicate (location, ts) with different values; superseded by record extra:4",
        },
      ]);
      const { rows: winner } = await db.client.query<{ t: number }>(
        `SELECT temperature_2m AS t FROM weather_hourly
       WHERE ts = '2026-11-01T01:00:00Z'`,
      );
      assert.deepEqual(winner, [{ t: -3 }]);
    });

    await t.step("a re-run changes nothing", async () => {
      const again = await runStages(db.client, raw);
      assert.deepEqual(again.loaded.tables, [{
        table: "weather_hourly",
        rows: 48,
        inserted: 0,
        updated: 0,
        unchanged: 48,
      }]);
      assert.equal(again.loaded.quarantined, 0);
    });
  },
);

dbTest(
  "runPipeline() runs a weather source through the weather dataset",
  async (db) => {
    const raw = await rawFrame();
    const source: Source = {
      name: "openmeteo",
      dataset: "weather",
      partitions:
        () => [{ name: PARTITION, extract: () => Promise.resolve(raw) }],
    };
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_weather_" });
    try {
      const summary = await runPipeline(source, { dataDir }, {
        client: db.client,
        clock: fixedClock(NOW),
      });
      assert.equal(summary.status, "succeeded", summary.error ?? "");
      assert.deepEqual(summary.counts, {
        extracted: 52,
        loaded: 48,
        quarantined: 3,
        duplicates: 1,
      });
      assert.ok(countsReconcile(summary.counts));
      assert.deepEqual(summary.tables.map((t) => [t.table, t.inserted]), [
        ["weather_hourly", 48],
      ]);
      // The lake partitions the snapshot rewrote: the weather's two days and
      // the quarantine's partition of the run's day.
      assert.deepEqual(summary.snapshot?.dates, [
        "2026-11-01",
        "2026-11-02",
        NOW.toISOString().slice(0, 10),
      ]);
      assert.equal(summary.snapshot?.files, 3);
      for (const date of ["2026-11-01", "2026-11-02"]) {
        const file =
          `${dataDir}/lake/weather_hourly/date=${date}/data_0.parquet`;
        assert.ok((await Deno.stat(file)).size > 0, file);
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
