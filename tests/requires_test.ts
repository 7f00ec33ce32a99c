import assert from "node:assert/strict";
import { inCi, skipLine } from "./_requires.ts";

Deno.test("skipLine() says in one line what is skipped and the command that enables it", async (t) => {
  await t.step("nothing missing: no line", () => {
    assert.equal(skipLine({ jupyter: [], server: false, root: false }), "");
  });
  await t.step("everything missing", () => {
    const line = skipLine({
      jupyter: ["the jupyter command on PATH", "Chromium"],
      server: true,
      root: true,
    });
    assert.equal(line.includes("\n"), false, "one line");
    assert.match(
      line,
      /^sluice tests: skipped the notebook, docs and report tests/,
    );
    assert.match(
      line,
      /missing the jupyter command on PATH, Chromium; enable: bash \.ci\/setup-jupyter\.sh/,
    );
    assert.match(
      line,
      /DATABASE_URL unset; enable: DATABASE_URL=postgres:\/\/USER@HOST\/DB deno task test/,
    );
    assert.match(line, /need root/);
    assert.match(line, /With CI=true nothing is skipped\.$/);
  });
  await t.step("MariaDB down: the platform tests and how to start it", () => {
    const line = skipLine({
      jupyter: [],
      server: false,
      root: false,
      mariadb: true,
    });
    assert.match(line, /MariaDB source tests/);
    assert.match(line, /start-stop-daemon --start --oknodo/);
    assert.doesNotMatch(line, /notebook|root|DATABASE_URL/);
  });
  await t.step("only the server", () => {
    const line = skipLine({ jupyter: [], server: true, root: false });
    assert.doesNotMatch(line, /notebook|root/);
    assert.match(line, /Postgres-server tests/);
  });
});

Deno.test("inCi() reads CI as set unless empty, false or 0", () => {
  const env = (value: string | undefined) => (name: string) =>
    name === "CI" ? value : undefined;
  assert.equal(inCi(env("true")), true);
  assert.equal(inCi(env("1")), true);
  assert.equal(inCi(env(undefined)), false);
  assert.equal(inCi(env("")), false);
  assert.equal(inCi(env("false")), false);
  assert.equal(inCi(env("0")), false);
});
