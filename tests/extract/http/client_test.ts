import assert from "node:assert/strict";
import {
  httpClient,
  type HttpClientOptions,
} from "@pipeline/extract/http/client.ts";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import { parseJsonBody } from "@pipeline/extract/http/json_body.ts";
import type { RateLimiter } from "@pipeline/extract/http/token_bucket.ts";
import {
  fixtureServer,
  fixtureText,
  inSequence,
  reply,
  stall,
  stallBody,
  tcpFixtureServer,
} from "../../fixtures/server.ts";
import { TEST_NOW, testDeps } from "../../fixtures/deps.ts";

const SECRET = "SECRET-KEY-9";
const OK = '{"ok":true}';
const FAST = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 };

/** A client with fast, deterministic settings; `interpret` parses JSON. */
function setup(extra: Partial<HttpClientOptions> = {}) {
  const deps = testDeps();
  const client = httpClient({
    source: "test",
    clock: deps.clock,
    sleep: deps.sleep,
    random: deps.random,
    log: deps.log,
    secrets: [SECRET],
    retry: {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 5_000,
      timeoutMs: 5_000,
    },
    ...extra,
  });
  const get = (base: string, land?: (text: string) => void) =>
    client.get(new URL(`${base}/data?symbol=IBM&apikey=${SECRET}`), {
      partition: "IBM 2026-11",
      land: land ? (b) => Promise.resolve(land(b.text)) : undefined,
      interpret: (b) => parseJsonBody(b.text).value,
    });
  return { deps, client, get };
}

async function rejectsWith(
  promise: Promise<unknown>,
  check: (err: ExtractError) => void,
): Promise<ExtractError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ExtractError, `expected ExtractError, got ${err}`);
    check(err);
    return err;
  }
  assert.fail("expected a rejection");
}

/** Everything an error exposes, to look for secrets in. */
function everything(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; e && i < 10; i++) {
    parts.push(String(e), Deno.inspect(e, { depth: 10 }), JSON.stringify(e));
    if (e instanceof Error) parts.push(e.stack ?? "");
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join("\n");
}

Deno.test("httpClient.get() retries 429 without Retry-After after a full-jitter wait, then succeeds", async () => {
  await using server = fixtureServer(
    inSequence(reply("{}", { status: 429 }), reply(OK)),
  );
  const { deps, get } = setup();
  assert.deepEqual(await get(server.url), { ok: true });
  assert.equal(server.requests.length, 2);
  assert.deepEqual(deps.waits, [50]); // random 0.5 × base 100
  assert.equal(deps.events[0]?.type, "retry");
  assert.match(deps.events[0]?.reason ?? "", /HTTP 429/);
});

Deno.test("httpClient.get() honours Retry-After on 429", async (t) => {
  const httpDate = new Date(Date.parse(TEST_NOW) + 3_000).toUTCString();
  const pastDate = new Date(Date.parse(TEST_NOW) - 60_000).toUTCString();
  const cases: [string, string, number][] = [
    ["seconds", "2", 2_000],
    ["an HTTP date", httpDate, 3_000],
    ["zero (as absent)", "0", 50],
    ["negative (as absent)", "-5", 50],
    ["garbage (as absent)", "soon", 50],
    ["a past HTTP date (as absent)", pastDate, 50],
    ["an empty value (as absent)", "", 50],
  ];
  for (const [name, header, wait] of cases) {
    await t.step(`${name}: waits ${wait} ms`, async () => {
      await using server = fixtureServer(inSequence(
        reply("{}", { status: 429, headers: { "retry-after": header } }),
        reply(OK),
      ));
      const { deps, get } = setup();
      assert.deepEqual(await get(server.url), { ok: true });
      assert.deepEqual(deps.waits, [wait]);
    });
  }
});

Deno.test("httpClient.get() gives up at once when Retry-After exceeds the wait cap", async () => {
  await using server = fixtureServer(
    reply("{}", { status: 429, headers: { "retry-after": "3600" } }),
  );
  const { deps, get } = setup();
  await rejectsWith(get(server.url), (err) => {
    assert.equal(err.kind, "status");
    assert.equal(err.status, 429);
    assert.equal(err.transient, true);
    assert.equal(err.attempts, 1);
    assert.match(
      err.message,
      /asked to wait 3600 s \(Retry-After\), more than the 5 s cap/,
    );
  });
  assert.equal(server.requests.length, 1);
  assert.deepEqual(deps.waits, []);
});

Deno.test("httpClient.get() retries 408 and 5xx, then succeeds", async (t) => {
  for (const status of [408, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      await using server = fixtureServer(inSequence(
        reply("oops", { status }),
        reply("oops", { status }),
        reply(OK),
      ));
      const { deps, get } = setup();
      assert.deepEqual(await get(server.url), { ok: true });
      assert.equal(server.requests.length, 3);
      assert.deepEqual(deps.waits, [50, 100]);
    });
  }
});

Deno.test("httpClient.get() caps each backoff wait at maxDelayMs and stops after maxAttempts", async () => {
  await using server = fixtureServer(reply("busy", { status: 503 }));
  const { deps, get } = setup({
    random: () => 0.999,
    retry: {
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 150,
      timeoutMs: 1_000,
    },
  });
  await rejectsWith(get(server.url), (err) => {
    assert.equal(err.kind, "status");
    assert.equal(err.status, 503);
    assert.equal(err.transient, true);
    assert.equal(err.attempts, 5);
    assert.equal(err.stage, "extract");
    assert.equal(err.partition, "IBM 2026-11");
    assert.equal(err.bodyExcerpt, "busy");
    assert.match(err.message, /gave up: HTTP 503/);
  });
  assert.equal(server.requests.length, 5);
  assert.deepEqual(deps.waits, [100, 150, 150, 150]);
  assert.ok(deps.waits.every((w) => w <= 150));
});

Deno.test("httpClient.get() fails other 4xx at once with a typed, terminal error", async (t) => {
  for (const status of [400, 401, 403, 404, 422]) {
    await t.step(`HTTP ${status}`, async () => {
      await using server = fixtureServer(
        reply(`{"error":"nope for apikey=${SECRET}"}`, { status }),
      );
      const { deps, get } = setup();
      await rejectsWith(get(server.url), (err) => {
        assert.equal(err.kind, "status");
        assert.equal(err.status, status);
        assert.equal(err.transient, false);
        assert.equal(err.attempts, 1);
        assert.equal(err.bodyExcerpt, '{"error":"nope for apikey=***"}');
        assert.equal(err.url, `${server.url}/data?symbol=IBM&apikey=***`);
      });
      assert.equal(server.requests.length, 1);
      assert.deepEqual(deps.waits, []);
    });
  }
});

Deno.test("httpClient.get() times out a response slower than timeoutMs and retries", async (t) => {
  await t.step("no headers in time", async () => {
    await using server = fixtureServer(inSequence(stall(), reply(OK)));
    const { deps, get } = setup({ retry: { ...FAST, timeoutMs: 300 } });
    assert.deepEqual(await get(server.url), { ok: true });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(deps.waits, [50]);
    assert.match(deps.events[0]?.reason ?? "", /timed out.*300 ms/);
  });
  await t.step("headers in time, body stalls", async () => {
    await using server = fixtureServer(
      inSequence(stallBody('{"ok":'), reply(OK)),
    );
    const { get } = setup({ retry: { ...FAST, timeoutMs: 300 } });
    assert.deepEqual(await get(server.url), { ok: true });
    assert.equal(server.requests.length, 2);
  });
  await t.step("always slow: a transient timeout error", async () => {
    await using server = fixtureServer(stall());
    const { get } = setup({
      retry: {
        maxAttempts: 2,
        baseDelayMs: 100,
        maxDelayMs: 5_000,
        timeoutMs: 50,
      },
    });
    await rejectsWith(get(server.url), (err) => {
      assert.equal(err.kind, "timeout");
      assert.equal(err.transient, true);
      assert.equal(err.attempts, 2);
      assert.equal(err.status, undefined);
    });
  });
});

Deno.test("httpClient.get() retries connection resets, then succeeds", async () => {
  await using server = tcpFixtureServer([
    { kind: "close" },
    {
      kind: "partial",
      head: 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"ok":',
    },
    { kind: "respond", body: OK },
  ]);
  const { deps, get } = setup();
  assert.deepEqual(await get(server.url), { ok: true });
  assert.equal(server.connections(), 3);
  assert.deepEqual(deps.waits, [50, 100]);
  assert.ok(deps.events.every((e) => /network error/.test(e.reason)));
});

Deno.test("httpClient.get() reports repeated resets as a transient network error without the key", async () => {
  await using server = tcpFixtureServer([{ kind: "close" }]);
  const { deps, get } = setup();
  const err = await rejectsWith(get(server.url), (err) => {
    assert.equal(err.kind, "network");
    assert.equal(err.transient, true);
    assert.equal(err.attempts, 4);
    assert.equal(err.url, `${server.url}/data?symbol=IBM&apikey=***`);
  });
  // fetch's own error quotes the full URL; the kept cause must not.
  assert.ok(err.cause instanceof Error);
  assert.doesNotMatch(everything(err), new RegExp(SECRET));
  assert.doesNotMatch(JSON.stringify(deps.events), new RegExp(SECRET));
});

Deno.test("httpClient.get() retries truncated JSON with HTTP 200, then succeeds", async () => {
  await using server = fixtureServer(inSequence(reply('{"ok":tr'), reply(OK)));
  const landed: string[] = [];
  const { get } = setup();
  assert.deepEqual(await get(server.url, (t) => landed.push(t)), { ok: true });
  assert.deepEqual(landed, ['{"ok":tr', OK]); // both landed before parsing
});

Deno.test("httpClient.get() fails persistent truncated JSON with a transient invalid-body error", async () => {
  await using server = fixtureServer(reply('{"ok":tr'));
  const { get } = setup();
  await rejectsWith(get(server.url), (err) => {
    assert.equal(err.kind, "invalid-body");
    assert.equal(err.transient, true);
    assert.equal(err.attempts, 4);
    assert.match(err.message, /malformed or truncated JSON/);
    assert.equal(err.bodyExcerpt, '{"ok":tr');
  });
});

Deno.test("httpClient.get() treats an HTML page as an error, never as data", async (t) => {
  const html = await fixtureText("html/bad_gateway.html");
  await t.step("HTML with 502 is retried like any 5xx", async () => {
    await using server = fixtureServer(
      reply(html, { status: 502, headers: { "content-type": "text/html" } }),
    );
    const { get } = setup({
      retry: {
        maxAttempts: 2,
        baseDelayMs: 100,
        maxDelayMs: 5_000,
        timeoutMs: 1_000,
      },
    });
    await rejectsWith(get(server.url), (err) => {
      assert.equal(err.status, 502);
      assert.equal(err.attempts, 2);
      assert.match(err.bodyExcerpt ?? "", /502 Bad Gateway/);
    });
  });
  await t.step("HTML with 200 is an invalid body naming the page", async () => {
    const page = await fixtureText("html/maintenance.html");
    await using server = fixtureServer(inSequence(
      reply(page, { headers: { "content-type": "text/html" } }),
      reply(OK),
    ));
    const { deps, get } = setup();
    assert.deepEqual(await get(server.url), { ok: true });
    assert.match(
      deps.events[0]?.reason ?? "",
      /HTML page titled "Scheduled maintenance"/,
    );
  });
});

Deno.test("httpClient.get() lands each 2xx body before interpreting it, and no error body", async () => {
  await using server = fixtureServer(inSequence(
    reply("fail", { status: 500 }),
    reply(OK),
  ));
  const order: string[] = [];
  const { client } = setup();
  await client.get(new URL(`${server.url}/x`), {
    partition: "p",
    land: (b) => Promise.resolve(void order.push(`land ${b.status} ${b.text}`)),
    interpret: (b) => order.push(`parse ${b.text}`),
  });
  assert.deepEqual(order, [`land 200 ${OK}`, `parse ${OK}`]);
});

Deno.test("httpClient.get() fails without retry when landing fails", async () => {
  await using server = fixtureServer(reply(OK));
  const { client } = setup();
  await rejectsWith(
    client.get(new URL(`${server.url}/x`), {
      partition: "p",
      land: () => Promise.reject(new Error("disk full")),
      interpret: () => assert.fail("must not parse an unlanded body"),
    }),
    (err) => {
      assert.equal(err.kind, "landing");
      assert.match(err.message, /disk full/);
      assert.equal(err.attempts, 1);
    },
  );
});

Deno.test("httpClient.get() takes a rate-limit token before every attempt", async () => {
  await using server = fixtureServer(inSequence(
    reply("", { status: 503 }),
    reply(OK),
  ));
  let tokens = 0;
  const limiter: RateLimiter = {
    acquire: () => Promise.resolve(void tokens++),
  };
  const { get } = setup({ limiter });
  await get(server.url);
  assert.equal(tokens, 2);
});

Deno.test("httpClient.get() stops waiting when the caller aborts", async () => {
  await using server = fixtureServer(reply("", { status: 503 }));
  const controller = new AbortController();
  const { client } = setup({
    sleep: (_ms, signal) => {
      controller.abort(new Error("run cancelled"));
      return Promise.reject(signal?.reason);
    },
  });
  await rejectsWith(
    client.get(new URL(`${server.url}/x`), {
      partition: "p",
      signal: controller.signal,
      interpret: () => 1,
    }),
    (err) => {
      assert.equal(err.kind, "aborted");
      assert.equal(err.transient, false);
      assert.equal(err.attempts, 1);
    },
  );
  assert.equal(server.requests.length, 1);
});

Deno.test("httpClient.get() keeps the key out of messages, excerpts and retry logs", async () => {
  await using server = fixtureServer(
    reply(`upstream rejected ${SECRET} (token=${SECRET})`, { status: 500 }),
  );
  const { deps, get } = setup({
    retry: {
      maxAttempts: 2,
      baseDelayMs: 100,
      maxDelayMs: 5_000,
      timeoutMs: 1_000,
    },
  });
  const err = await rejectsWith(get(server.url), () => {});
  assert.equal(err.bodyExcerpt, "upstream rejected *** (token=***)");
  assert.equal(server.requests[0]?.url.searchParams.get("apikey"), SECRET);
  assert.doesNotMatch(everything(err), new RegExp(SECRET));
  assert.equal(deps.events.length, 1);
  assert.doesNotMatch(JSON.stringify(deps.events), new RegExp(SECRET));
});

Deno.test("httpClient.redactSecrets() replaces only the secret values", () => {
  const { client } = setup();
  const text = `{"Information":"your key ${SECRET}","token=x":1}`;
  assert.equal(
    client.redactSecrets(text),
    '{"Information":"your key ***","token=x":1}',
  );
  assert.equal(client.redactSecrets(OK), OK);
});
