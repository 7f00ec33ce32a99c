import assert from "node:assert/strict";
import { loadEnv, parseDotEnv } from "@pipeline/extract/http/env.ts";

Deno.test("parseDotEnv() reads assignments, quotes and comments", () => {
  const text = [
    "# keys for local runs",
    "ALPHAVANTAGE_API_KEY=abc123",
    'export FINNHUB_API_KEY = "fh 456"  ',
    "SINGLE='literal \\n #not comment'",
    'DOUBLE="line\\nnext \\"q\\""',
    "INLINE=value # trailing comment",
    "EMPTY=",
    "not an assignment",
    "__proto__=x",
  ].join("\n");
  const env = parseDotEnv(text);
  assert.equal(env.ALPHAVANTAGE_API_KEY, "abc123");
  assert.equal(env.FINNHUB_API_KEY, "fh 456");
  assert.equal(env.SINGLE, "literal \\n #not comment");
  assert.equal(env.DOUBLE, 'line\nnext "q"');
  assert.equal(env.INLINE, "value");
  assert.equal(env.EMPTY, "");
  assert.equal(Object.hasOwn(env, "__proto__"), true);
  assert.equal(Object.getPrototypeOf(env), Object.prototype);
});

Deno.test("loadEnv() lets the environment win over .env", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/.env`;
    await Deno.writeTextFile(path, "A=from-file\nB=from-file\nC=from-file\n");
    const env = loadEnv({ env: { A: "from-env", C: "" }, dotenv: path });
    assert.equal(env.A, "from-env");
    assert.equal(env.B, "from-file");
    assert.equal(env.C, "from-file"); // an empty variable counts as unset
    assert.deepEqual(loadEnv({ env: { A: "x" }, dotenv: `${dir}/missing` }), {
      A: "x",
    });
    assert.deepEqual(loadEnv({ env: { A: "x" }, dotenv: false }), { A: "x" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
