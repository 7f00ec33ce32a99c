import assert from "node:assert/strict";
import {
  alphaVantageDailySource,
  parseAlphaVantageDaily,
  TIME_SERIES_DAILY,
  validateEod,
} from "@pipeline/datasets/eod/mod.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { alphaVantageDailyFormat } from "@pipeline/datasets/eod/alphavantage.ts";
import { fixtureServer, fixtureText, reply } from "../../fixtures/server.ts";
import { testDeps } from "../../fixtures/deps.ts";

const SECRET = "SECRET-AV-KEY-123";
const PARAMS = {
  function: TIME_SERIES_DAILY,
  symbol: "IBM",
  outputsize: "compact",
  start: "2026-11-16T00:00:00.000Z",
  end: "2026-12-02T00:00:00.000Z",
};
const fixture = (name: string) => fixtureText(`alphavantage/${name}`);

Deno.test("parseAlphaVantageDaily() reads a TIME_SERIES_DAILY body into the raw eod frame, window applied", async () => {
  const frame = parseAlphaVantageDaily({
    body: await fixture("daily_ibm.json"),
    params: PARAMS,
    partition: "IBM daily",
  });
  assert.deepEqual(frame.columns, [
    "symbol",
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "record",
  ]);
  const dates = frame.getColumn("date").toArray();
  // 2026-12-02 is the window's end (excluded), 2026-11-13 before its start.
  assert.equal(dates[0], "2026-12-01");
  assert.equal(dates.at(-1), "2026-11-16");
  assert.equal(frame.height, 11);
  assert.ok(!dates.includes("2026-11-26")); // Thanksgiving: no session
  assert.deepEqual(frame.getColumn("adj_close").toArray().filter(Boolean), []);
  assert.equal(
    frame.getColumn("record").get(0),
    "alphavantage:IBM daily:2026-12-01",
  );
  const { valid, quarantine } = validateEod(frame, {
    now: new Date("2026-12-02T22:00:00Z"),
  });
  assert.equal(quarantine.height, 0);
  assert.equal(valid.height, 11);
});

Deno.test("parseAlphaVantageDaily() turns HTTP-200 messages into their problems", async (t) => {
  const cases: [string, boolean][] = [
    ["note_rate_limit.json", true],
    ["information_rate_limit.json", true],
    ["error_message.json", false],
  ];
  for (const [file, transient] of cases) {
    await t.step(file, async () => {
      const body = await fixture(file);
      assert.throws(
        () =>
          parseAlphaVantageDaily({
            body,
            params: PARAMS,
            partition: "IBM daily",
          }),
        (err: Error & { kind?: string; transient?: boolean }) =>
          err.kind === "provider" && err.transient === transient,
      );
    });
  }
  await t.step(
    "an intraday body is a schema problem naming the member",
    async () => {
      const intraday = await fixture("intraday_ibm_2026-11.json");
      assert.throws(
        () =>
          parseAlphaVantageDaily({
            body: intraday,
            params: PARAMS,
            partition: "IBM daily",
          }),
        /Time Series \(Daily\)/,
      );
    },
  );
});

Deno.test("alphaVantageDailySource() sends one TIME_SERIES_DAILY request per symbol, lands it, and replays it", async () => {
  await using server = fixtureServer(reply(await fixture("daily_ibm.json")));
  const dataDir = await Deno.makeTempDir();
  try {
    const source = alphaVantageDailySource(
      {
        symbols: ["IBM"],
        start: PARAMS.start,
        end: PARAMS.end,
      },
      {
        ...testDeps(),
        env: {
          ALPHAVANTAGE_API_KEY: SECRET,
          ALPHAVANTAGE_BASE_URL: server.url,
        },
        rawLanding: rawLanding({ dataDir }),
      },
    );
    assert.equal(source.dataset, "eod");
    const [partition] = source.partitions();
    assert.equal(partition?.name, "IBM daily");
    assert.equal(partition?.entity, "IBM");
    const live = await partition!.extract();
    assert.deepEqual(Object.fromEntries(server.requests[0]!.url.searchParams), {
      function: "TIME_SERIES_DAILY",
      symbol: "IBM",
      outputsize: "compact",
      apikey: SECRET,
    });
    // Replay reads the landed body with the same parser: the same frame.
    const replay = await rawLandingSource({
      dataDir,
      source: alphaVantageDailyFormat,
    });
    assert.equal(replay.dataset, "eod");
    const replayed = await replay.partitions()[0]!.extract();
    assert.deepEqual(replayed.toRecords(), live.toRecords());
    // The intraday format does not take the daily body.
    await assert.rejects(
      () => rawLandingSource({ dataDir, source: "alphavantage" }),
      /nothing landed/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("alphaVantageDailySource() fails before any request without a key", () => {
  assert.throws(
    () =>
      alphaVantageDailySource(
        { symbols: ["IBM"], start: PARAMS.start, end: PARAMS.end },
        { ...testDeps(), env: {} },
      ),
    /ALPHAVANTAGE_API_KEY/,
  );
});
