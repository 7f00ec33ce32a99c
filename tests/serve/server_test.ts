/**
 * The dashboard's pages against a real catalogue: each draws its charts
 * (SVGs with data marks, each with a title), the pickers change what is
 * drawn, missing data is a clear message with 404/503, never a trace.
 */
import assert from "node:assert/strict";
import { inspectPage } from "@tools/nbdev/charts.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { createDashboard } from "@pipeline/serve/server.ts";
import { AS_OF, serveFixture } from "./_fixture.ts";

const fixture = await serveFixture();
const dashboard = createDashboard(
  { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0 },
  { clock: fixedClock(AS_OF), warn: () => {} },
);

async function get(path: string): Promise<[number, string, Headers]> {
  const response = await dashboard.handler(
    new Request(`http://127.0.0.1${path}`),
  );
  return [response.status, await response.text(), response.headers];
}

/** The chart titles of a page, asserting each chart draws data. */
function chartTitles(html: string): string[] {
  const page = inspectPage(html);
  for (const chart of page.charts) {
    assert.ok(chart.hasMarks, `chart ${chart.title} draws data marks`);
    assert.ok(chart.title, "every chart has a title");
  }
  return page.charts.map((c) => c.title!);
}

Deno.test("each page draws its charts with data marks", async () => {
  const expected: Record<string, RegExp[]> = {
    "/prices": [/^AAPL: 5m candles/, /^AAPL: shares traded/],
    "/runs": [/^Runs: seconds per stage/],
    "/quality": [/^Checks per run/, /^Quarantined records by reason/],
  };
  for (const [path, titles] of Object.entries(expected)) {
    const [status, html] = await get(path);
    assert.equal(status, 200, `${path}: ${html.slice(0, 300)}`);
    const found = chartTitles(html);
    assert.equal(found.length, titles.length, `${path}: ${found.join(" | ")}`);
    titles.forEach((re, i) => assert.match(found[i]!, re));
    assert.doesNotMatch(html, /<style|style="/, "no inline style (CSP)");
  }
  const [status, html] = await get("/warehouse");
  assert.equal(status, 200);
  assert.match(html, /bars_1m/);
  assert.match(html, /etl_runs/);
});

Deno.test("the prices pickers: symbols, range and the granularity it implies", async () => {
  const cases: [string, RegExp][] = [
    ["/prices?symbol=MSFT", /^MSFT: 5m candles/],
    // A session of 1m bars (390) is more than the chart draws: 2m candles.
    ["/prices?symbol=MSFT&from=2026-11-20&to=2026-11-20", /^MSFT: 2m candles/],
    ["/prices?from=2026-10-01&to=2026-11-20", /^AAPL: 1h candles/],
    ["/prices?from=2026-01-01&to=2026-11-20", /^AAPL: 1d candles/],
  ];
  for (const [path, re] of cases) {
    const [status, html] = await get(path);
    assert.equal(status, 200, path);
    const titles = chartTitles(html);
    assert.ok(titles.some((t) => re.test(t)), `${path}: ${titles.join(" | ")}`);
  }
  const [, day] = await get("/prices?from=2026-11-20&to=2026-11-20");
  assert.match(day, /1m bars from the lake's bars_1m/);
  assert.match(
    day,
    /195 candles shown \(the lake's 1m bars merged into 2m candles\)/,
  );
  const [, both] = await get("/prices?symbol=AAPL&symbol=MSFT");
  const titles = chartTitles(both);
  assert.match(titles[0]!, /^AAPL, MSFT: 5m closes rebased to 100/);
  assert.match(both, /<option value="MSFT" selected>/);
});

Deno.test("the prices page sends its head and pickers before its charts", async () => {
  const response = await dashboard.handler(
    new Request("http://127.0.0.1/prices?symbol=MSFT&from=2026-11-19"),
  );
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const start = decoder.decode((await reader.read()).value);
  assert.match(start, /<link rel="stylesheet" href="\/static\/app.css">/);
  assert.match(start, /<option value="MSFT" selected>/);
  assert.match(start, /<section id="prices-charts" data-live-part>$/);
  assert.doesNotMatch(start, /<svg/);
  let rest = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    rest += decoder.decode(r.value);
  }
  assert.match(rest, /^<p class="summary">MSFT last 5m candle/);
  assert.match(rest, /<svg[\s\S]*<\/html>$/);
  // The whole page is kept: the same URL again is one piece.
  const [, again] = await get("/prices?symbol=MSFT&from=2026-11-19");
  assert.equal(again, start + rest);
});

Deno.test("the session still trading is marked, a finished one is not", async () => {
  const open = createDashboard(
    { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0 },
    { clock: fixedClock("2026-11-20T18:00:00Z"), warn: () => {} },
  );
  const during = await (await open.handler(
    new Request("http://127.0.0.1/prices?from=2026-11-20&to=2026-11-20"),
  )).text();
  assert.match(during, /unfinished session/);
  const [, after] = await get("/prices?from=2026-11-20&to=2026-11-20");
  assert.doesNotMatch(after, /unfinished session/);
});

Deno.test("a run's page: stages, partitions, quarantined records", async () => {
  const [, runs] = await get("/runs");
  const id = /href="\/runs\/([0-9a-f-]{36})"/.exec(runs)?.[1];
  assert.ok(id, "the runs page links to its run");
  const [status, html] = await get(`/runs/${id}`);
  assert.equal(status, 200);
  assert.match(html, /<h2>Stages<\/h2>/);
  assert.match(html, /AAPL/);
  assert.match(html, new RegExp(`/quality\\?run=${id}#quarantine`));
  const [qs, quality] = await get(`/quality?run=${id}`);
  assert.equal(qs, 200);
  assert.match(quality, /<details>/);
});

Deno.test("missing data and unknown things: a message and 404/503", async () => {
  const empty = await Deno.makeTempDir();
  const bare = createDashboard(
    { dataDir: empty, host: "127.0.0.1", port: 0 },
    { warn: () => {} },
  );
  for (const path of ["/prices", "/runs", "/quality", "/warehouse"]) {
    const response = await bare.handler(new Request(`http://x${path}`));
    assert.equal(response.status, 503, path);
    const html = await response.text();
    assert.match(html, /No data yet: there is no analytics\.duckdb/);
    assert.doesNotMatch(html, /at .*\.ts:\d+/, "no stack trace");
  }
  await Deno.remove(empty, { recursive: true });
  const cases: [string, number, RegExp][] = [
    [
      "/prices?symbol=NOPE",
      404,
      /Unknown symbol &quot;NOPE&quot;: the lake holds AAPL, MSFT/,
    ],
    ["/prices?from=yesterday", 400, /Bad from: expected a date/],
    ["/prices?from=2026-11-20&to=2026-11-01", 400, /from is after to/],
    ["/runs/00000000-0000-0000-0000-000000000000", 404, /No run/],
    ["/runs/abc", 404, /a run id is a UUID/],
    ["/nowhere", 404, /No page at \/nowhere/],
  ];
  for (const [path, code, re] of cases) {
    const [status, html] = await get(path);
    assert.equal(status, code, path);
    assert.match(html, re);
  }
});

Deno.test("cleanup", async () => {
  dashboard.close();
  await fixture.dispose();
});
