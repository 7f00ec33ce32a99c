import assert from "node:assert/strict";
import { EtlError } from "@pipeline/errors.ts";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import { gzip } from "@pipeline/extract/http/gzip.ts";
import {
  type LandEntry,
  rawLanding,
} from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { fixtureText } from "../../fixtures/server.ts";

const PARAMS = {
  symbol: "IBM",
  resolution: "1",
  start: "2026-11-02T00:00:00.000Z",
  end: "2026-11-09T00:00:00.000Z",
};

function entry(
  text: string,
  at: string,
  partition = "IBM 2026-11-02..2026-11-09",
): LandEntry {
  return {
    source: "finnhub",
    partition,
    params: PARAMS,
    url: "https://finnhub.io/api/v1/stock/candle?symbol=IBM&token=***",
    status: 200,
    headers: new Headers(),
    body: new TextEncoder().encode(text),
    fetchedAt: new Date(at),
  };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("rawLandingSource() replays the newest body that parses, per partition", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    const older = await fixtureText("finnhub/candles_ibm.json");
    const newer = await fixtureText("finnhub/candles_duplicates.json");
    await landing.land(entry(older, "2026-11-20T10:00:00Z"));
    await landing.land(entry(newer, "2026-11-21T10:00:00Z"));
    // A later rate-limit body of the same partition does not hide the data.
    await landing.land(
      entry(
        await fixtureText("finnhub/error_limit.json"),
        "2026-11-21T11:00:00Z",
      ),
    );
    await landing.land(
      entry(older, "2026-11-21T10:00:00Z", "MSFT 2026-11-02..2026-11-09"),
    );

    const source = await rawLandingSource({ dataDir: dir, source: "finnhub" });
    assert.equal(source.name, "finnhub");
    assert.deepEqual(source.partitions().map((p) => p.name), [
      "IBM 2026-11-02..2026-11-09",
      "MSFT 2026-11-02..2026-11-09",
    ]);
    const ibm = await source.partitions()[0]!.extract();
    assert.deepEqual(ibm.getColumn("ts").toArray().slice(0, 2), [
      "2026-11-02T14:32:00Z",
      "2026-11-02T14:30:00Z",
    ]);
    // MSFT's params say IBM (they are what was landed): replay is faithful.
    const msft = await source.partitions()[1]!.extract();
    assert.equal(msft.height, 4);

    const dayOne = await rawLandingSource({
      dataDir: dir,
      source: "finnhub",
      date: "2026-11-20",
    });
    assert.equal(
      (await dayOne.partitions()[0]!.extract()).getColumn("ts").toArray()[0],
      "2026-11-02T14:30:00Z",
    );

    const onlyMsft = await rawLandingSource({
      dataDir: dir,
      source: "finnhub",
      include: (meta) => meta.partition.startsWith("MSFT"),
    });
    assert.equal(onlyMsft.partitions().length, 1);
  });
});

Deno.test("rawLandingSource() fails a partition whose bodies never parse, with the newest problem", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    await landing.land(entry('{"s":"ok","c":[1]}', "2026-11-21T10:00:00Z"));
    await landing.land(
      entry('{"error":"API limit reached"}', "2026-11-21T11:00:00Z"),
    );
    const source = await rawLandingSource({ dataDir: dir, source: "finnhub" });
    await assert.rejects(source.partitions()[0]!.extract(), (err) => {
      assert.ok(err instanceof ExtractError);
      assert.equal(err.kind, "provider");
      assert.equal(err.transient, false); // replaying again gives the same
      assert.equal(err.partition, "IBM 2026-11-02..2026-11-09");
      assert.match(
        err.message,
        /finnhub-?.*ibm-2026-11-02-2026-11-09-2\.json\.gz: Finnhub error/,
      );
      return true;
    });
  });
});

Deno.test("rawLandingSource() reports a damaged body as a landing error", async () => {
  await withDir(async (dir) => {
    const file = await rawLanding({ dataDir: dir }).land(
      entry(
        await fixtureText("finnhub/candles_ibm.json"),
        "2026-11-21T10:00:00Z",
      ),
    );
    await Deno.writeFile(
      file.bodyPath,
      await gzip(new TextEncoder().encode("{}")),
    );
    const source = await rawLandingSource({ dataDir: dir, source: "finnhub" });
    await assert.rejects(
      source.partitions()[0]!.extract(),
      (err) =>
        err instanceof ExtractError && err.kind === "landing" &&
        /damaged/.test(err.message),
    );
  });
});

Deno.test("rawLandingSource() says when there is nothing to replay", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      rawLandingSource({
        dataDir: dir,
        source: "alphavantage",
        date: "2026-11-21",
      }),
      (err) =>
        err instanceof EtlError &&
        /nothing landed under .*raw\/alphavantage\/2026-11-21/.test(
          err.message,
        ),
    );
    await assert.rejects(
      rawLandingSource({ dataDir: dir, source: "nope" as "finnhub" }),
      (err) =>
        err instanceof EtlError && err.stage === "config" &&
        /unknown raw source "nope"/.test(err.message),
    );
  });
});

Deno.test("rawLandingSource() replays only the bodies its format accepts", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    const intraday = await fixtureText(
      "alphavantage/intraday_ibm_2026-11.json",
    );
    const base = {
      source: "alphavantage",
      url: "https://www.alphavantage.co/query?apikey=***",
      status: 200,
      headers: new Headers(),
      fetchedAt: new Date("2026-11-21T10:00:00Z"),
    };
    await landing.land({
      ...base,
      partition: "IBM 2026-11",
      params: {
        symbol: "IBM",
        interval: "1min",
        month: "2026-11",
        start: "2026-11-01T04:00:00.000Z",
        end: "2026-12-01T05:00:00.000Z",
      },
      body: new TextEncoder().encode(intraday),
    });
    await landing.land({
      ...base,
      partition: "IBM daily",
      params: { function: "TIME_SERIES_DAILY", symbol: "IBM" },
      body: new TextEncoder().encode("{}"),
    });
    const names = async (fn: string, unnamed: boolean) =>
      (await rawLandingSource({
        dataDir: dir,
        source: {
          source: "alphavantage",
          dataset: "bars",
          parse: () => {
            throw new Error("not parsed here");
          },
          accepts: (p) =>
            p.function === fn || (unnamed && p.function === undefined),
        },
      })).partitions().map((p) => p.name);
    assert.deepEqual(await names("TIME_SERIES_INTRADAY", true), [
      "IBM 2026-11",
    ]);
    assert.deepEqual(await names("TIME_SERIES_DAILY", false), ["IBM daily"]);
    await assert.rejects(
      () => names("TIME_SERIES_WEEKLY", false),
      (err) => err instanceof EtlError && /nothing landed/.test(err.message),
    );
    // The intraday format of the source keeps replaying its own bodies.
    const replay = await rawLandingSource({
      dataDir: dir,
      source: "alphavantage",
    });
    assert.deepEqual(replay.partitions().map((p) => p.name), ["IBM 2026-11"]);
    assert.ok((await replay.partitions()[0]!.extract()).height > 0);
  });
});
