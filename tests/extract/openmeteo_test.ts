import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import {
  type OpenMeteoConfig,
  openMeteoSource,
  WEATHER_RAW_COLUMNS,
} from "@pipeline/extract/openmeteo.ts";
import {
  fixtureServer,
  fixtureText,
  inSequence,
  reply,
  stall,
} from "../fixtures/server.ts";
import { testDeps } from "../fixtures/deps.ts";
import { col, extractError, only } from "./_source.ts";

const BERLIN = { name: "berlin", latitude: 52.52, longitude: 13.41 };
const TWO_DAYS = { start: "2026-11-01T00:00:00Z", end: "2026-11-03T00:00:00Z" };

const fixture = (name: string) => fixtureText(`openmeteo/${name}`);

function source(
  serverUrl: string,
  config: Partial<OpenMeteoConfig> = {},
  extra: { dataDir?: string } = {},
) {
  const deps = testDeps();
  const src = openMeteoSource(
    { locations: [BERLIN], ...TWO_DAYS, ...config },
    {
      ...deps,
      env: { OPENMETEO_BASE_URL: serverUrl },
      rawLanding: extra.dataDir
        ? rawLanding({ dataDir: extra.dataDir })
        : undefined,
    },
  );
  return { src, deps };
}

Deno.test("openMeteoSource() plans one weather partition per location and chunk, needing no key", async () => {
  await using server = fixtureServer(reply("{}"));
  const { src } = source(server.url, {
    locations: [BERLIN, {
      name: "new_york",
      latitude: 40.71,
      longitude: -74.01,
    }],
    start: "2026-11-01",
    end: "2026-11-10",
  });
  assert.equal(src.name, "openmeteo");
  assert.equal(src.dataset, "weather");
  assert.deepEqual(src.partitions().map((p) => p.name), [
    "berlin 2026-11-01..2026-11-08",
    "berlin 2026-11-08..2026-11-10",
    "new_york 2026-11-01..2026-11-08",
    "new_york 2026-11-08..2026-11-10",
  ]);
});

Deno.test("openMeteoSource() requests hourly variables in UTC for the chunk's dates", async (t) => {
  for (const endpoint of ["forecast", "archive"] as const) {
    await t.step(endpoint, async () => {
      await using server = fixtureServer(
        reply(await fixture("hourly_berlin.json")),
      );
      const { src } = source(server.url, { endpoint });
      await only(src).extract();
      const url = server.requests[0]?.url;
      assert.ok(url);
      assert.equal(url.pathname, `/v1/${endpoint}`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        latitude: "52.52",
        longitude: "13.41",
        hourly:
          "temperature_2m,relative_humidity_2m,precipitation,wind_speed_10m",
        timezone: "UTC",
        start_date: "2026-11-01",
        end_date: "2026-11-02", // inclusive: the window ends 2026-11-03T00:00Z
        temperature_unit: "celsius",
        wind_speed_unit: "kmh",
        precipitation_unit: "mm",
      });
    });
  }
});

Deno.test("openMeteoSource() extracts the raw weather frame: text numbers, nulls kept, UTC ts", async () => {
  await using server = fixtureServer(
    reply(await fixture("hourly_berlin.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(df.columns, [...WEATHER_RAW_COLUMNS]);
  assert.ok(df.dtypes.every((d) => d.equals(pl.String)));
  assert.equal(df.height, 48);
  assert.deepEqual(df.row(0), [
    "berlin",
    "2026-11-01T00:00:00Z",
    "4.4",
    "87",
    "0",
    "15.2",
    "openmeteo:berlin 2026-11-01..2026-11-03:hourly[0]",
  ]);
  assert.equal(col(df, "temperature_2m")[5], null); // JSON null stays null
  assert.equal(col(df, "precipitation")[15], "1.2");
  assert.equal(col(df, "ts")[47], "2026-11-02T23:00:00Z");
});

Deno.test("openMeteoSource() drops hours outside the window and honours utc_offset_seconds", async (t) => {
  await t.step("a half-day window keeps 12 hours", async () => {
    await using server = fixtureServer(
      reply(await fixture("hourly_berlin.json")),
    );
    const { src } = source(server.url, {
      start: "2026-11-01T12:00:00Z",
      end: "2026-11-02T00:00:00Z",
    });
    const df = await only(src).extract();
    assert.equal(df.height, 12);
    assert.equal(col(df, "ts")[0], "2026-11-01T12:00:00Z");
  });
  await t.step("local times at UTC+1 are shifted to UTC", async () => {
    await using server = fixtureServer(
      reply(await fixture("hourly_berlin_cet.json")),
    );
    const { src } = source(server.url);
    const df = await only(src).extract();
    assert.equal(col(df, "ts")[0], "2026-11-01T00:00:00Z"); // local 01:00
    assert.equal(df.height, 47); // local 00:00 is 2026-10-31T23:00Z, outside
  });
});

Deno.test("openMeteoSource() rejects malformed payloads with a clear schema error and no frame", async (t) => {
  const cases: [string, RegExp][] = [
    [
      "hourly_unequal.json",
      /hourly arrays have unequal lengths \(time=48, .*wind_speed_10m=47\)/,
    ],
    [
      "hourly_renamed_wind.json",
      /hourly\.wind_speed_10m: missing \(found .*"windspeed_10m"/,
    ],
  ];
  for (const [file, message] of cases) {
    await t.step(file, async () => {
      await using server = fixtureServer(reply(await fixture(file)));
      const { src } = source(server.url);
      const err = await extractError(only(src).extract());
      assert.equal(err.kind, "schema");
      assert.equal(err.transient, false);
      assert.match(err.message, message);
    });
  }
  await t.step("a unit other than the contract's", async () => {
    const body = (await fixture("hourly_berlin.json")).replace(
      '"km/h"',
      '"mp/h"',
    );
    await using server = fixtureServer(reply(body));
    const { src } = source(server.url);
    const err = await extractError(only(src).extract());
    assert.match(
      err.message,
      /hourly_units\.wind_speed_10m is "mp\/h", expected "km\/h"/,
    );
  });
});

Deno.test("openMeteoSource() fails a 400 with the API's reason, at once", async () => {
  await using server = fixtureServer(
    reply(await fixture("error_invalid_variable.json"), { status: 400 }),
  );
  const { src } = source(server.url);
  const err = await extractError(only(src).extract());
  assert.equal(err.kind, "status");
  assert.equal(err.status, 400);
  assert.equal(err.transient, false);
  assert.match(err.bodyExcerpt ?? "", /Cannot initialize WeatherVariable/);
  assert.equal(server.requests.length, 1);
});

Deno.test("openMeteoSource() retries a slow response and a 502, then succeeds", async () => {
  await using server = fixtureServer(inSequence(
    stall(),
    reply(await fixtureText("html/bad_gateway.html"), { status: 502 }),
    reply(await fixture("hourly_berlin.json")),
  ));
  const { src, deps } = source(server.url, {
    retry: { timeoutMs: 100 },
  });
  assert.equal((await only(src).extract()).height, 48);
  assert.equal(server.requests.length, 3);
  assert.deepEqual(deps.events.map((e) => [e.kind, e.reason.split(":")[0]]), [
    ["timeout", "timed out"],
    ["status", "HTTP 502 Bad Gateway"],
  ]);
});

Deno.test("openMeteoSource() rejects invalid locations as a config error", () => {
  assert.throws(
    () =>
      openMeteoSource({
        locations: [BERLIN, { ...BERLIN, latitude: 91 }],
        ...TWO_DAYS,
      }, { ...testDeps(), env: {} }),
    (err) =>
      err instanceof EtlError && err.stage === "config" &&
      /locations\.1\.latitude/.test(err.message) &&
      /location names must be unique/.test(err.message),
  );
});

Deno.test("openMeteoSource() replays landed bodies to the same frame without the network", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const live = await (async () => {
      await using server = fixtureServer(
        reply(await fixture("hourly_berlin.json")),
      );
      const { src } = source(server.url, {}, { dataDir });
      return await only(src).extract();
    })();
    const replayed = await rawLandingSource({ dataDir, source: "openmeteo" });
    assert.equal(replayed.dataset, "weather");
    const [p] = replayed.partitions();
    assert.equal(p?.name, "berlin 2026-11-01..2026-11-03");
    assert.ok((await p!.extract()).frameEqual(live));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
