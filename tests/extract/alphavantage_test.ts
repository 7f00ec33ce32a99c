import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import {
  type AlphaVantageConfig,
  alphaVantageMonths,
  alphaVantageMonthWindow,
  alphaVantageSource,
} from "@pipeline/extract/alphavantage.ts";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import { gunzip } from "@pipeline/extract/http/gzip.ts";
import { listLanded, rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { rawLandingSource } from "@pipeline/extract/http/raw_source.ts";
import { formatWindow } from "@pipeline/extract/http/window.ts";
import {
  type FixtureHandler,
  fixtureServer,
  fixtureText,
  inSequence,
  reply,
} from "../fixtures/server.ts";
import { testDeps } from "../fixtures/deps.ts";
import { col, extractError, only } from "./_source.ts";

const SECRET = "SECRET-AV-KEY-123";
const NOVEMBER = alphaVantageMonthWindow("2026-11");
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

const fixture = (name: string) => fixtureText(`alphavantage/${name}`);

/** An Alpha Vantage source against `server`, with test doubles. */
function source(
  serverUrl: string,
  config: Partial<AlphaVantageConfig> = {},
  extra: { dataDir?: string } = {},
) {
  const deps = testDeps();
  const src = alphaVantageSource(
    { symbols: ["IBM"], ...NOVEMBER, ...config },
    {
      ...deps,
      env: { ALPHAVANTAGE_API_KEY: SECRET, ALPHAVANTAGE_BASE_URL: serverUrl },
      rawLanding: extra.dataDir
        ? rawLanding({ dataDir: extra.dataDir })
        : undefined,
    },
  );
  return { src, deps };
}

Deno.test("alphaVantageMonthWindow() is the US/Eastern month in UTC", () => {
  assert.equal(NOVEMBER.start.toISOString(), "2026-11-01T04:00:00.000Z");
  assert.equal(NOVEMBER.end.toISOString(), "2026-12-01T05:00:00.000Z");
  assert.throws(() => alphaVantageMonthWindow("2026-13"), RangeError);
});

Deno.test("alphaVantageMonths() lists the Eastern months a window overlaps", () => {
  const months = (start: string, end: string) =>
    alphaVantageMonths({ start: new Date(start), end: new Date(end) }).map((
      m,
    ) => `${m.month} ${formatWindow(m.window)}`);
  assert.deepEqual(months("2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z"), [
    "2026-11 2026-11-01T04:00Z..2026-12-01T05:00Z",
  ]);
  // A UTC month starts at 20:00 Eastern on the last day of the month before.
  assert.deepEqual(months("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z"), [
    "2026-10 2026-11-01..2026-11-01T04:00Z",
    "2026-11 2026-11-01T04:00Z..2026-11-10",
  ]);
  assert.equal(
    months("2026-01-15T00:00:00Z", "2026-04-15T00:00:00Z").length,
    4,
  );
});

Deno.test("alphaVantageSource() plans one partition per symbol and month", async () => {
  await using server = fixtureServer(reply("{}"));
  const { src } = source(server.url, { symbols: ["IBM", "MSFT"] });
  assert.equal(src.name, "alphavantage");
  assert.equal(src.dataset, "bars");
  assert.deepEqual(src.partitions().map((p) => p.name), [
    "IBM 2026-11",
    "MSFT 2026-11",
  ]);
  assert.equal(server.requests.length, 0); // planning makes no request
});

Deno.test("alphaVantageSource() requests TIME_SERIES_INTRADAY for one month, full size", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_ibm_2026-11.json")),
  );
  const { src } = source(server.url);
  await only(src).extract();
  const url = server.requests[0]?.url;
  assert.ok(url);
  assert.equal(url.pathname, "/query");
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    function: "TIME_SERIES_INTRADAY",
    symbol: "IBM",
    interval: "1min",
    month: "2026-11",
    outputsize: "full",
    apikey: SECRET,
  });
});

Deno.test("alphaVantageSource() extracts the raw bar frame: text numbers, UTC ts, record names", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_ibm_2026-11.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(df.columns, RAW_COLUMNS);
  assert.ok(df.dtypes.every((d) => d.equals(pl.String)));
  assert.deepEqual(col(df, "ts"), [
    "2026-11-21T00:59:00Z",
    "2026-11-20T21:00:00Z",
    "2026-11-20T14:31:00Z",
    "2026-11-20T14:30:00Z",
    "2026-11-02T09:00:00Z",
  ]);
  assert.deepEqual(df.row(3), [
    "IBM",
    "2026-11-20T14:30:00Z",
    "220.7500",
    "221.0500",
    "220.6100",
    "221.0000",
    "356120",
    "alphavantage:IBM 2026-11:2026-11-20 09:30:00",
  ]);
});

Deno.test("alphaVantageSource() converts US/Eastern to UTC on the DST change days", async (t) => {
  const cases: [string, string, string[]][] = [
    ["intraday_ibm_2026-11_dst.json", "2026-11", [
      "2026-11-02T14:30:00Z", // Monday 09:30 EST (UTC-5)
      "2026-11-01T07:00:00Z", // 02:00 EST
      "2026-11-01T05:30:00Z", // 01:30 occurs twice: first (EDT)
      "2026-11-01T04:59:00Z", // 00:59 EDT (UTC-4)
    ]],
    ["intraday_ibm_2026-03_dst.json", "2026-03", [
      "2026-03-09T13:30:00Z", // Monday 09:30 EDT (UTC-4)
      "2026-03-08T07:00:00Z", // 03:00 EDT, first minute after the change
      "2026-03-08 02:30:00", // does not exist in US/Eastern: kept as sent
      "2026-03-08T06:59:00Z", // 01:59 EST
      "2026-03-06T14:30:00Z", // Friday 09:30 EST (UTC-5)
    ]],
  ];
  for (const [file, month, expected] of cases) {
    await t.step(month, async () => {
      await using server = fixtureServer(reply(await fixture(file)));
      const { src } = source(server.url, alphaVantageMonthWindow(month));
      const df = await only(src).extract();
      assert.deepEqual(col(df, "ts"), expected);
    });
  }
});

Deno.test("alphaVantageSource() keeps duplicate and out-of-order timestamps in the raw frame", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_duplicates.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.deepEqual(col(df, "ts"), [
    "2026-11-20T14:31:00Z",
    "2026-11-20T14:33:00Z",
    "2026-11-20T14:32:00Z",
    "2026-11-20T14:31:00Z",
  ]);
  assert.deepEqual(col(df, "record"), [
    "alphavantage:IBM 2026-11:2026-11-20 09:31:00",
    "alphavantage:IBM 2026-11:2026-11-20 09:33:00",
    "alphavantage:IBM 2026-11:2026-11-20 09:32:00",
    "alphavantage:IBM 2026-11:2026-11-20 09:31:00#2",
  ]);
});

Deno.test("alphaVantageSource() drops rows outside the partition window", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_ibm_2026-11.json")),
  );
  const { src } = source(server.url, {
    start: "2026-11-20T14:30:00Z",
    end: "2026-11-20T21:00:00Z",
  });
  const df = await only(src).extract();
  assert.deepEqual(col(df, "ts"), [
    "2026-11-20T14:31:00Z",
    "2026-11-20T14:30:00Z",
  ]);
});

Deno.test("alphaVantageSource() returns an empty raw frame for an empty series", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_empty.json")),
  );
  const { src } = source(server.url);
  const df = await only(src).extract();
  assert.equal(df.height, 0);
  assert.deepEqual(df.columns, RAW_COLUMNS);
  assert.ok(df.dtypes.every((d) => d.equals(pl.String)));
});

Deno.test("alphaVantageSource() retries rate-limit messages sent with HTTP 200, then succeeds", async (t) => {
  for (const file of ["note_rate_limit.json", "information_rate_limit.json"]) {
    await t.step(file, async () => {
      await using server = fixtureServer(inSequence(
        reply(await fixture(file)),
        reply(await fixture("intraday_ibm_2026-11.json")),
      ));
      const { src, deps } = source(server.url);
      const df = await only(src).extract();
      assert.equal(df.height, 5);
      assert.equal(server.requests.length, 2);
      assert.equal(deps.waits.length, 1 + 1); // one backoff + one rate-limit wait
      assert.ok(deps.waits.includes(2_500)); // 0.5 × 5 s base
      assert.match(
        deps.events[0]?.reason ?? "",
        /rate limited: Alpha Vantage (Note|Information)/,
      );
    });
  }
});

Deno.test("alphaVantageSource() fails clearly on HTTP-200 error messages, with no frame", async (t) => {
  const cases: [string, string, boolean, number, RegExp][] = [
    [
      "a persistent Note",
      "note_rate_limit.json",
      true,
      4,
      /gave up: rate limited: Alpha Vantage Note/,
    ],
    [
      "a daily limit (not retried)",
      "information_daily_limit.json",
      true,
      1,
      /daily request limit reached/,
    ],
    [
      "an Error Message (invalid symbol)",
      "error_message.json",
      false,
      1,
      /Alpha Vantage Error Message: "Invalid API call/,
    ],
  ];
  for (const [name, file, transient, attempts, message] of cases) {
    await t.step(name, async () => {
      await using server = fixtureServer(reply(await fixture(file)));
      const { src } = source(server.url);
      const err = await extractError(only(src).extract());
      assert.equal(err.kind, "provider");
      assert.equal(err.transient, transient);
      assert.equal(err.attempts, attempts);
      assert.equal(err.stage, "extract");
      assert.equal(err.partition, "IBM 2026-11");
      assert.equal(err.status, 200);
      assert.match(err.message, message);
      assert.equal(server.requests.length, attempts);
    });
  }
});

Deno.test("alphaVantageSource() rejects a renamed or missing field naming it, returning nothing", async (t) => {
  const cases: [string, RegExp][] = [
    [
      "intraday_renamed_open.json",
      /"Time Series \(1min\)"\."2026-11-20 09:30:00"\."1\. open": missing \(found "1\. Open", "2\. high"/,
    ],
    [
      "intraday_missing_volume.json",
      /"Time Series \(1min\)"\."2026-11-20 09:31:00"\."5\. volume": missing/,
    ],
  ];
  for (const [file, message] of cases) {
    await t.step(file, async () => {
      await using server = fixtureServer(reply(await fixture(file)));
      const { src } = source(server.url);
      const err = await extractError(only(src).extract());
      assert.equal(err.kind, "schema");
      assert.equal(err.transient, false);
      assert.equal(err.attempts, 1);
      assert.match(err.message, message);
    });
  }
  await t.step("a payload without the series", async () => {
    await using server = fixtureServer(
      reply(
        '{"Meta Data": {"2. Symbol": "IBM", "6. Time Zone": "US/Eastern"}}',
      ),
    );
    const { src } = source(server.url);
    const err = await extractError(only(src).extract());
    assert.equal(err.kind, "schema");
    assert.match(err.message, /"Time Series \(1min\)"/);
  });
  await t.step("an unknown time zone", async () => {
    const body = (await fixture("intraday_ibm_2026-11.json")).replace(
      "US/Eastern",
      "Wall Street Time",
    );
    await using server = fixtureServer(reply(body));
    const { src } = source(server.url);
    const err = await extractError(only(src).extract());
    assert.match(
      err.message,
      /"Meta Data"\."6\. Time Zone": unknown time zone/,
    );
  });
});

Deno.test("alphaVantageSource() retries 429 and 5xx through the source", async () => {
  await using server = fixtureServer(inSequence(
    reply("", { status: 429, headers: { "retry-after": "7" } }),
    reply("<html>busy</html>", { status: 503 }),
    reply(await fixture("intraday_ibm_2026-11.json")),
  ));
  const { src, deps } = source(server.url);
  const df = await only(src).extract();
  assert.equal(df.height, 5);
  assert.deepEqual(deps.events.map((e) => e.waitMs), [7_000, 5_000]);
});

Deno.test("alphaVantageSource() isolates partitions: one failing symbol leaves the others", async () => {
  const good = await fixture("intraday_ibm_2026-11.json");
  const bad = await fixture("error_message.json");
  const handler: FixtureHandler = (req) =>
    new URL(req.url).searchParams.get("symbol") === "MSFT"
      ? reply(bad)()
      : reply(good)();
  await using server = fixtureServer(handler);
  const { src } = source(server.url, { symbols: ["IBM", "MSFT", "AAPL"] });
  const results = await Promise.allSettled(
    src.partitions().map((p) => p.extract()),
  );
  assert.deepEqual(results.map((r) => r.status), [
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);
  const failed = results[1];
  assert.ok(
    failed?.status === "rejected" && failed.reason instanceof ExtractError,
  );
  assert.equal(failed.reason.partition, "MSFT 2026-11");
});

Deno.test("alphaVantageSource() spaces requests with its token bucket (5/min, burst 1)", async () => {
  await using server = fixtureServer(
    reply(await fixture("intraday_empty.json")),
  );
  const { src, deps } = source(server.url, {
    symbols: ["IBM", "MSFT", "AAPL"],
  });
  for (const p of src.partitions()) await p.extract();
  assert.deepEqual(deps.waits, [12_000, 12_000]);
});

Deno.test("alphaVantageSource() fails without a key, naming the variable, before any request", async (t) => {
  await using server = fixtureServer(reply("{}"));
  await t.step("no key anywhere", () => {
    assert.throws(
      () =>
        alphaVantageSource({ symbols: ["IBM"], ...NOVEMBER }, {
          ...testDeps(),
          env: { ALPHAVANTAGE_BASE_URL: server.url },
        }),
      (err) => {
        assert.ok(err instanceof EtlError);
        assert.equal(err.stage, "config");
        assert.match(err.message, /ALPHAVANTAGE_API_KEY/);
        return true;
      },
    );
  });
  await t.step("the key from .env when the environment lacks it", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/.env`,
        `ALPHAVANTAGE_API_KEY=${SECRET}\n`,
      );
      const src = alphaVantageSource({ symbols: ["IBM"], ...NOVEMBER }, {
        ...testDeps(),
        env: { ALPHAVANTAGE_BASE_URL: server.url },
        dotenv: `${dir}/.env`,
      });
      await only(src).extract().catch(() => {});
      assert.equal(
        server.requests.at(-1)?.url.searchParams.get("apikey"),
        SECRET,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  assert.equal(server.requests.length, 1);
});

Deno.test("alphaVantageSource() rejects invalid configuration as a config error", async (t) => {
  const cases: [string, Partial<AlphaVantageConfig>, RegExp][] = [
    ["a lowercase symbol", { symbols: ["ibm"] }, /symbols\.0/],
    ["no symbols", { symbols: [] }, /symbols/],
    [
      "end before start",
      { start: "2026-11-10", end: "2026-11-01" },
      /end: end must be after start/,
    ],
    ["a burst over 5", { burst: 6 }, /burst/],
    ["a bad base URL", { baseUrl: "ftp://x" }, /baseUrl/],
  ];
  for (const [name, config, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () =>
          alphaVantageSource({ symbols: ["IBM"], ...NOVEMBER, ...config }, {
            ...testDeps(),
            env: { ALPHAVANTAGE_API_KEY: SECRET },
          }),
        (err) =>
          err instanceof EtlError && err.stage === "config" &&
          message.test(err.message),
      );
    });
  }
});

Deno.test("alphaVantageSource() lands each body unmodified and replays it to the same frame", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const body = await fixture("intraday_duplicates.json");
    await using server = fixtureServer(inSequence(
      reply(await fixture("note_rate_limit.json")),
      reply(body, {
        headers: { "x-ratelimit-remaining": "4", "set-cookie": "s=1" },
      }),
    ));
    const { src } = source(server.url, {}, { dataDir });
    const live = await only(src).extract();

    const landed = await listLanded({ dataDir, source: "alphavantage" });
    assert.deepEqual(landed.map((f) => f.bodyPath.replace(dataDir, "")), [
      "/raw/alphavantage/2026-11-22/ibm-2026-11-1.json.gz",
      "/raw/alphavantage/2026-11-22/ibm-2026-11-2.json.gz",
    ]);
    const second = landed[1];
    assert.ok(second);
    const stored = await gunzip(await Deno.readFile(second.bodyPath));
    assert.deepEqual(stored, new TextEncoder().encode(body)); // byte for byte
    assert.equal(second.meta.partition, "IBM 2026-11");
    assert.equal(second.meta.status, 200);
    assert.equal(second.meta.fetched_at, "2026-11-22T12:00:00.000Z");
    assert.equal(
      second.meta.url,
      `${server.url}/query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=1min&month=2026-11&outputsize=full&apikey=***`,
    );
    assert.equal(second.meta.headers["x-ratelimit-remaining"], "4");
    assert.equal(second.meta.headers["set-cookie"], undefined);
    assert.equal(second.meta.redacted, false);

    const replayed = await rawLandingSource({
      dataDir,
      source: "alphavantage",
    });
    assert.equal(replayed.dataset, "bars");
    const [p] = replayed.partitions();
    assert.equal(p?.name, "IBM 2026-11");
    const again = await p!.extract();
    assert.ok(again.frameEqual(live), "replay must give the identical frame");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("alphaVantageSource() keeps the key out of errors, logs, landed files and what it returns", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    // Alpha Vantage's rate-limit messages quote the caller's key.
    await using server = fixtureServer(
      reply(await fixture("information_rate_limit.json")),
    );
    const { src, deps } = source(server.url, {}, { dataDir });
    const err = await extractError(only(src).extract());
    const seen: string[] = [
      err.message,
      err.stack ?? "",
      Deno.inspect(err, { depth: 10 }),
      JSON.stringify(err),
      JSON.stringify(deps.events),
      JSON.stringify(src),
      JSON.stringify(src.partitions()),
      Deno.inspect(src, { depth: 10 }),
    ];
    for (const f of await listLanded({ dataDir, source: "alphavantage" })) {
      seen.push(await Deno.readTextFile(f.metaPath));
      seen.push(
        new TextDecoder().decode(await gunzip(await Deno.readFile(f.bodyPath))),
      );
      assert.equal(f.meta.redacted, true);
    }
    assert.equal(seen.length, 8 + 2 * 4);
    for (const text of seen) assert.doesNotMatch(text, new RegExp(SECRET));
    assert.match(err.message, /API key as \*\*\*/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
