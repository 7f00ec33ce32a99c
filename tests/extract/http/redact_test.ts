import assert from "node:assert/strict";
import {
  redactError,
  redactText,
  redactUrl,
} from "@pipeline/extract/http/redact.ts";

Deno.test("redactUrl() replaces secret query values with ***", async (t) => {
  const cases: [string, string][] = [
    [
      "https://www.alphavantage.co/query?function=TIME_SERIES_INTRADAY&symbol=IBM&apikey=abc123",
      "https://www.alphavantage.co/query?function=TIME_SERIES_INTRADAY&symbol=IBM&apikey=***",
    ],
    [
      "https://finnhub.io/api/v1/stock/candle?symbol=IBM&token=zz99&from=1",
      "https://finnhub.io/api/v1/stock/candle?symbol=IBM&token=***&from=1",
    ],
    ["https://x.test/q?APIKEY=abc", "https://x.test/q?APIKEY=***"],
    ["https://user:pw@x.test/q?a=1", "https://x.test/q?a=1"],
    ["https://x.test/q?symbol=IBM", "https://x.test/q?symbol=IBM"],
  ];
  for (const [input, expected] of cases) {
    await t.step(input, () => assert.equal(redactUrl(input), expected));
  }
});

Deno.test("redactText() removes secret values and secret params", () => {
  assert.equal(
    redactText("key abcd1234 at /q?apikey=abcd1234&x=1 token=t0k", [
      "abcd1234",
    ]),
    "key *** at /q?apikey=***&x=1 token=***",
  );
  assert.equal(redactText("short key ab", ["ab"]), "short key ab");
});

Deno.test("redactError() copies an error chain without the secret", () => {
  const inner = new Error(
    "error sending request for http://h/q?apikey=S3CRET-1",
  );
  const outer = new TypeError("fetch failed", { cause: inner });
  const copy = redactError(outer, ["S3CRET-1"]);
  assert.equal(copy.name, "TypeError");
  assert.equal(copy.message, "fetch failed");
  assert.ok(copy.cause instanceof Error);
  assert.equal(
    (copy.cause as Error).message,
    "error sending request for http://h/q?apikey=***",
  );
  assert.doesNotMatch(Deno.inspect(copy, { depth: 5 }), /S3CRET-1/);
});
