import assert from "node:assert/strict";
import { redactSecrets, secretsFromEnv } from "@pipeline/ops/secrets.ts";

Deno.test("secretsFromEnv() collects keys, tokens, the database password and the webhook", () => {
  const secrets = secretsFromEnv({
    FINNHUB_API_KEY: "fh-abcdef",
    GITHUB_TOKEN: "ghp_123456",
    DATABASE_URL: "postgres://etl:p%40ssw0rd@db:5432/sluice",
    ALERT_WEBHOOK_URL: "https://hooks.example/services/T1/B2/xyz789",
    HOME: "/root",
    KEYBOARD: "us",
    SHORT_KEY: "abc",
  });
  for (
    const s of [
      "fh-abcdef",
      "ghp_123456",
      "p%40ssw0rd",
      "p@ssw0rd",
      "https://hooks.example/services/T1/B2/xyz789",
      "/services/T1/B2/xyz789",
    ]
  ) assert.ok(secrets.includes(s), s);
  assert.ok(!secrets.includes("/root") && !secrets.includes("us"));
  assert.ok(!secrets.includes("abc"), "too short to redact safely");
});

Deno.test("redactSecrets() hides values, URL passwords and secret parameters", async (t) => {
  const cases: [string, string[], string][] = [
    ["key fh-abcdef rejected", ["fh-abcdef"], "key *** rejected"],
    [
      "cannot connect to postgres://etl:hunter2@db/sluice",
      [],
      "cannot connect to postgres://etl:***@db/sluice",
    ],
    [
      "GET /query?symbol=IBM&apikey=zzz",
      [],
      "GET /query?symbol=IBM&apikey=***",
    ],
  ];
  for (const [text, secrets, out] of cases) {
    await t.step(text, () => assert.equal(redactSecrets(text, secrets), out));
  }
});
