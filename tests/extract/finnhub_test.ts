import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import {
  type FinnhubConfig,
  finnhubSource,
} from "@pipeline/extract/finnhub.ts";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import {
  type FixtureHandler,
  fixtureServer,
  fixtureText,
  inSequence,
  reply,
  tcpFixtureServer,
} from "../fixtures/server.ts";
import { testDeps } from "../fixtures/deps.ts";
import { col, extractError, only } from "./_source.ts";

const SECRET = "SECRET-FH-TOKEN-77";
const WEEK = { start: "2026-11-02T00:00:00Z", end: "2026-11-09T00:00:00Z" };
const RAW_COLUMNS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "record",
];

const fixture = (name: string) => fixtureText(`finnhub/${name}`);

function source(
  serverUrl: string,
  config: Partial<FinnhubConfig> = {},
  extra: { dataDir?: string } = {},
) {
  const deps = testDeps();
  const src = finnhubSource(
    { symbols: ["IBM"], ...WEEK, ...config },
    {
      ...deps,
      env: { FINNHUB_API_KEY: SECRET, FINNHUB_BASE_URL: `${serverUrl}/api/v1` },
      rawLanding: extra.dataDir
        ? rawLanding({ dataDir: extra.dataDir })
        : undefined,
    },
  );
  return { src, deps };
}

Deno.test("finnhubSource() cuts the window into chunks, one partition per symbol and chunk", async () => {
  await using server = fixtureServer(reply("{}"));
  const { src } = source(server.url, {
    symbols: ["IBM", "MSFT"],
    start: "2026-11-02",
    end: "2026-11-20T14:30:00Z",
  });
  assert.equal(src.dataset, "bars");
  assert.deepEqual(src.partitions().map((p) => p.name), [
    "IBM 2026-11-02..2026-11-09",
    "IBM 2026-11-09..2026-11-16",
    "IBM 2026-11-16..2026-11-20T14:30Z",
    "MSFT 2026-11-02..2026-11-09",
    "MSFT 2026-11-09..2026-11-16",
    "MSFT 2026-11-16..2026-11-20T14:30Z",
  ]);
  assert.equal(server.requests.length, 0);
});

Deno.test("finnhubSource() requests /stock/candle with epoch-second from/to (inclusive end)", async () => {
  await using server = fixtureServer(reply(await fixture("candles_ibm.json")));
  const { src } = source(server.url);
  await only(src).extract();
  const url = server.requests[0]?.url;
  assert.ok(url);
  assert.equal(url.pathname, "/api/v1/stock/candle");
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    symbol: "IBM",
    resolution: "1",
    from: "1793577600", // 2026-11-02T00:00:00Z
    to: "1794182399", // 2026-11-09T00:00:00Z − 1 s
    token: SECRET,
  });
});

Deno.test("finnhubSource() extracts the raw bar frame from the candle arrays", async () => {
  await using server = fixtureServer(reply(await fixture("candles_ibm.json")));
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(df.columns, RAW_COLUMNS);
  assert.ok(df.dtypes.every((d) => d.equals(pl.String)));
  assert.deepEqual(col(df, "ts"), [
    "2026-11-02T14:30:00Z",
    "2026-11-02T14:31:00Z",
    "2026-11-02T14:32:00Z",
    "2026-11-02T14:33:00Z",
  ]);
  assert.deepEqual(df.row(0), [
    "IBM",
    "2026-11-02T14:30:00Z",
    "221.01",
    "221.35",
    "220.9",
    "221.2",
    "48211",
    "finnhub:IBM 2026-11-02..2026-11-09:t[0]",
  ]);
});

Deno.test("finnhubSource() keeps duplicate and out-of-order candles in the raw frame", async () => {
  await using server = fixtureServer(
    reply(await fixture("candles_duplicates.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(col(df, "ts"), [
    "2026-11-02T14:32:00Z",
    "2026-11-02T14:30:00Z",
    "2026-11-02T14:31:00Z",
    "2026-11-02T14:30:00Z",
  ]);
});

Deno.test("finnhubSource() drops candles outside the partition window", async () => {
  await using server = fixtureServer(
    reply(await fixture("candles_out_of_window.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(col(df, "ts"), ["2026-11-02T14:30:00Z"]);
  assert.deepEqual(col(df, "record"), [
    "finnhub:IBM 2026-11-02..2026-11-09:t[1]",
  ]);
});

Deno.test('finnhubSource() reads s: "no_data" as an empty window, not an error', async () => {
  await using server = fixtureServer(reply(await fixture("no_data.json")));
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.equal(df.height, 0);
  assert.deepEqual(df.columns, RAW_COLUMNS);
});

Deno.test("finnhubSource() rejects malformed candles with a clear schema error and no frame", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "arrays of unequal length",
      await fixture("candles_unequal.json"),
      /unequal lengths \(o=3, h=3, l=3, c=3, v=3, t=4\)/,
    ],
    [
      "a missing array",
      await fixture("candles_missing_volume.json"),
      /v: missing \(found/,
    ],
    [
      "an unknown status",
      '{"s":"maybe"}',
      /s: Invalid discriminator value\. Expected 'ok' \| 'no_data'/,
    ],
    [
      "a string where numbers belong",
      '{"s":"ok","c":["1"],"h":[1],"l":[1],"o":[1],"t":[1],"v":[1]}',
      /c\[0\]: Invalid input: expected number/,
    ],
  ];
  for (const [name, body, message] of cases) {
    await t.step(name, async () => {
      await using server = fixtureServer(reply(body));
      const { src } = source(server.url);
      const err = await extractError(only(src).extract());
      assert.equal(err.kind, "schema");
      assert.equal(err.transient, false);
      assert.equal(err.attempts, 1);
      assert.match(err.message, message);
    });
  }
});

Deno.test("finnhubSource() handles Finnhub's error bodies", async (t) => {
  await t.step("403 no access: terminal at once", async () => {
    await using server = fixtureServer(
      reply(await fixture("error_access.json"), { status: 403 }),
    );
    const { src } = source(server.url);
    const err = await extractError(only(src).extract());
    assert.equal(err.kind, "status");
    assert.equal(err.status, 403);
    assert.equal(err.transient, false);
    assert.match(err.bodyExcerpt ?? "", /don't have access/);
    assert.equal(server.requests.length, 1);
  });
  await t.step("429 limit: retried, then succeeds", async () => {
    await using server = fixtureServer(inSequence(
      reply(await fixture("error_limit.json"), { status: 429 }),
      reply(await fixture("candles_ibm.json")),
    ));
    const { src, deps } = source(server.url);
    assert.equal((await only(src).extract()).height, 4);
    assert.deepEqual(deps.waits, [500]); // 0.5 × 1 s base; the burst absorbs the retry
  });
  await t.step("200 with a limit error: transient, retried", async () => {
    await using server = fixtureServer(inSequence(
      reply(await fixture("error_limit.json")),
      reply(await fixture("candles_ibm.json")),
    ));
    const { src } = source(server.url);
    assert.equal((await only(src).extract()).height, 4);
    assert.equal(server.requests.length, 2);
  });
  await t.step("200 with another error: terminal", async () => {
    await using server = fixtureServer(
      reply(await fixture("error_access.json")),
    );
    const { src } = source(server.url);
    const err = await extractError(only(src).extract());
    assert.equal(err.kind, "provider");
    assert.equal(err.transient, false);
    assert.match(err.message, /Finnhub error: "You don't have access/);
  });
});

Deno.test("finnhubSource() retries a reset connection and keeps the token out of the error", async () => {
  await using server = tcpFixtureServer([{ kind: "close" }]);
  const { src, deps } = source(server.url.replace(/\/api\/v1$/, ""));
  const err = await extractError(only(src).extract());
  assert.equal(err.kind, "network");
  assert.equal(err.transient, true);
  assert.equal(err.attempts, 4);
  assert.match(err.url ?? "", /token=\*\*\*$/);
  for (
    const text of [
      err.message,
      Deno.inspect(err, { depth: 10 }),
      JSON.stringify(deps.events),
    ]
  ) {
    assert.doesNotMatch(text, new RegExp(SECRET));
  }
});

Deno.test("finnhubSource() isolates partitions", async () => {
  const good = await fixture("candles_ibm.json");
  const handler: FixtureHandler = (req) =>
    new URL(req.url).searchParams.get("symbol") === "MSFT"
      ? reply("{}", { status: 404 })()
      : reply(good)();
  await using server = fixtureServer(handler);
  const { src } = source(server.url, { symbols: ["IBM", "MSFT"] });
  const results = await Promise.allSettled(
    src.partitions().map((p) => p.extract()),
  );
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected"]);
  const failed = results[1];
  assert.ok(
    failed?.status === "rejected" && failed.reason instanceof ExtractError,
  );
  assert.equal(failed.reason.partition, "MSFT 2026-11-02..2026-11-09");
});

Deno.test("finnhubSource() fails without FINNHUB_API_KEY before any request", () => {
  assert.throws(
    () =>
      finnhubSource({ symbols: ["IBM"], ...WEEK }, { ...testDeps(), env: {} }),
    (err) =>
      err instanceof EtlError && err.stage === "config" &&
      /FINNHUB_API_KEY/.test(err.message),
  );
  assert.throws(
    () =>
      finnhubSource({ symbols: ["IBM"], ...WEEK, chunkDays: 40 }, {
        ...testDeps(),
        env: { FINNHUB_API_KEY: SECRET },
      }),
    (err) => err instanceof EtlError && /chunkDays/.test(err.message),
  );
});

Deno.test("finnhubSource() replays landed bodies to the same frame without the network", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const live = await (async () => {
      await using server = fixtureServer(
        reply(await fixture("candles_duplicates.json")),
      );
      const { src } = source(server.url, {}, { dataDir });
      return await only(src).extract();
    })();
    const replayed = await rawLandingSource({ dataDir, source: "finnhub" });
    const [p] = replayed.partitions();
    assert.equal(p?.name, "IBM 2026-11-02..2026-11-09");
    assert.ok((await p!.extract()).frameEqual(live));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
