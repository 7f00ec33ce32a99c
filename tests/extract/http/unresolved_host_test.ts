/**
 * An offline HTTP source: a host that cannot be resolved is said once,
 * without retries, and a stopped server is still retried as a network error.
 */
import assert from "node:assert/strict";
import { httpClient, unresolvedHost } from "@pipeline/extract/http/client.ts";
import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
import { parseJsonBody } from "@pipeline/extract/http/json_body.ts";
import { testDeps } from "../../fixtures/deps.ts";

/** What Deno's fetch throws for a host name that does not resolve. */
function dnsFailure(url: string): TypeError {
  return new TypeError("fetch failed", {
    cause: new Error(
      `error sending request for url (${url}): client error (Connect): dns error: failed to lookup address information: Name or service not known`,
    ),
  });
}

/** A client over `fetchFn` with fast, deterministic settings. */
function client(fetchFn: typeof fetch) {
  const deps = testDeps();
  let calls = 0;
  const http = httpClient({
    source: "test",
    clock: deps.clock,
    sleep: deps.sleep,
    random: deps.random,
    log: deps.log,
    secrets: [],
    fetch: (input, init) => {
      calls++;
      return fetchFn(input, init);
    },
    retry: {
      maxAttempts: 6,
      baseDelayMs: 10,
      maxDelayMs: 100,
      timeoutMs: 1_000,
    },
  });
  return { deps, http, calls: () => calls };
}

Deno.test("httpClient.get() says once that the host cannot be resolved, without retrying", async () => {
  const url = "http://api.example.invalid/data?symbol=IBM";
  const { deps, http, calls } = client(() => Promise.reject(dnsFailure(url)));
  await assert.rejects(
    http.get(new URL(url), {
      partition: "IBM 2026-11",
      interpret: (b) => parseJsonBody(b.text).value,
    }),
    (err) => {
      assert.ok(err instanceof ExtractError, String(err));
      assert.equal(err.kind, "network");
      assert.equal(err.transient, true, "a later run may succeed");
      assert.match(
        err.message,
        /cannot resolve host api\.example\.invalid \(offline, or a wrong host name\)/,
      );
      assert.equal(err.message.split("api.example.invalid").length - 1, 2);
      return true;
    },
  );
  assert.equal(calls(), 1);
  assert.deepEqual(deps.events, []);
});

Deno.test("httpClient.get() still retries a stopped server (connection refused)", async () => {
  // A port nothing listens on: bound, then closed.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const { deps, http, calls } = client(fetch);
  await assert.rejects(
    http.get(new URL(`http://127.0.0.1:${port}/data`), {
      partition: "IBM 2026-11",
      interpret: (b) => parseJsonBody(b.text).value,
    }),
    (err) => {
      assert.ok(err instanceof ExtractError, String(err));
      assert.match(err.message, /gave up: network error/);
      assert.doesNotMatch(err.message, /cannot resolve/);
      return true;
    },
  );
  assert.equal(calls(), 6);
  assert.equal(deps.events.length, 5);
});

Deno.test("unresolvedHost() tells DNS failures from other network errors", () => {
  assert.equal(unresolvedHost(dnsFailure("http://x.invalid/")), true);
  assert.equal(
    unresolvedHost(Object.assign(new Error("getaddrinfo ENOTFOUND x"), {})),
    true,
  );
  assert.equal(
    unresolvedHost(new TypeError("fetch failed: connection refused")),
    false,
  );
  assert.equal(unresolvedHost("nope"), false);
});
