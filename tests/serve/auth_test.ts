/**
 * Safe by default: another host than the loopback needs a token; with one,
 * pages need signing in (an HttpOnly SameSite=Strict cookie, never the
 * token itself); only GET and HEAD; a strict CSP on every response; no
 * secret on any page; URL parameters never reach SQL as text.
 */
import assert from "node:assert/strict";
import { fixedClock } from "@pipeline/clock.ts";
import {
  checkServeOptions,
  CONTENT_SECURITY_POLICY,
  createDashboard,
  safeNext,
  warehouseLabel,
} from "@pipeline/serve/mod.ts";
import { AS_OF, serveFixture } from "./_fixture.ts";

const TOKEN = "correct horse battery staple";
const fixture = await serveFixture();

Deno.test("a host beyond the loopback needs a token", () => {
  const base = { dataDir: "data", port: 8080 };
  assert.throws(
    () => checkServeOptions({ ...base, host: "0.0.0.0" }),
    /--host 0\.0\.0\.0 exposes the dashboard.*SLUICE_DASHBOARD_TOKEN/,
  );
  assert.throws(
    () => checkServeOptions({ ...base, host: "0.0.0.0", token: "short" }),
    /at least 12 characters/,
  );
  checkServeOptions({ ...base, host: "0.0.0.0", token: TOKEN });
  checkServeOptions({ ...base, host: "127.0.0.1" });
  checkServeOptions({ ...base, host: "::1" });
});

Deno.test("deno task serve --host 0.0.0.0 without a token exits 2", async () => {
  const env = Deno.env.toObject();
  delete env.SLUICE_DASHBOARD_TOKEN;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "pipeline/main.ts", "serve", "--host", "0.0.0.0"],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /SLUICE_DASHBOARD_TOKEN/,
  );
});

Deno.test("sign-in: form, wrong token, cookie, pages", async () => {
  const dashboard = createDashboard(
    { dataDir: fixture.dataDir, host: "0.0.0.0", port: 0, token: TOKEN },
    { clock: fixedClock(AS_OF), warn: () => {} },
  );
  const go = (path: string, init?: RequestInit) =>
    dashboard.handler(new Request(`http://h${path}`, init));
  const anonymous = await go("/runs");
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get("location"), "/signin?next=%2Fruns");
  assert.equal((await go("/events")).status, 401);
  const form = await go("/signin?next=%2Fruns");
  assert.match(await form.text(), /name="token"/);
  const wrong = await go("/signin", {
    method: "POST",
    body: new URLSearchParams({ token: "guess guess guess", next: "/runs" }),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("set-cookie"), null);
  const right = await go("/signin", {
    method: "POST",
    body: new URLSearchParams({ token: TOKEN, next: "/runs" }),
  });
  assert.equal(right.status, 303);
  assert.equal(right.headers.get("location"), "/runs");
  const cookie = right.headers.get("set-cookie") ?? "";
  assert.match(
    cookie,
    /^sluice_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/,
  );
  assert.ok(!cookie.includes(TOKEN));
  const session = cookie.split(";")[0]!;
  const page = await go("/runs", { headers: { cookie: session } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Runs: seconds per stage/);
  const forged = await go("/runs", {
    headers: { cookie: "sluice_session=" + "0".repeat(64) },
  });
  assert.equal(forged.status, 303);
  dashboard.close();
});

Deno.test("safeNext only goes back to a local path", () => {
  assert.equal(safeNext("/runs?x=1"), "/runs?x=1");
  assert.equal(safeNext("//evil.example/"), "/");
  assert.equal(safeNext("https://evil.example/"), "/");
  assert.equal(safeNext("/\\evil"), "/");
  assert.equal(safeNext(null), "/");
});

Deno.test("every response: CSP, no sniffing, no framing; only GET and HEAD", async () => {
  const dashboard = createDashboard(
    { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0 },
    { clock: fixedClock(AS_OF), warn: () => {} },
  );
  for (const path of ["/prices", "/runs", "/nowhere", "/static/app.js"]) {
    const response = await dashboard.handler(new Request(`http://h${path}`));
    await response.body?.cancel();
    assert.equal(
      response.headers.get("content-security-policy"),
      CONTENT_SECURITY_POLICY,
    );
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
  }
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const response = await dashboard.handler(
      new Request("http://h/runs", { method }),
    );
    await response.body?.cancel();
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
  }
  const head = await dashboard.handler(
    new Request("http://h/runs", { method: "HEAD" }),
  );
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  const page = await (await dashboard.handler(new Request("http://h/runs")))
    .text();
  assert.doesNotMatch(
    page,
    /<script>|<script [^>]*>[^<]|\son[a-z]+="/i,
    "no inline script",
  );
  dashboard.close();
});

Deno.test("no secret on any page: the database password is redacted", async () => {
  const url =
    "postgres://etl:s3cr3t-pass@db.internal:5432/sluice?sslpassword=other";
  assert.equal(
    warehouseLabel(url, "data"),
    "postgres://etl@db.internal:5432/sluice",
  );
  const dashboard = createDashboard(
    { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0, databaseUrl: url },
    { clock: fixedClock(AS_OF), warn: () => {} },
  );
  const html =
    await (await dashboard.handler(new Request("http://h/warehouse")))
      .text();
  assert.match(html, /postgres:\/\/etl@db\.internal:5432\/sluice/);
  assert.ok(!html.includes("s3cr3t-pass") && !html.includes("other"));
  dashboard.close();
});

Deno.test("SQL injection attempts in parameters are refused, never run", async () => {
  const dashboard = createDashboard(
    { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0 },
    { clock: fixedClock(AS_OF), warn: () => {} },
  );
  const attempts: [string, number][] = [
    [`/prices?symbol=${encodeURIComponent("AAPL' OR '1'='1")}`, 404],
    [
      `/prices?symbol=${encodeURIComponent('AAPL"; DROP TABLE etl_runs; --')}`,
      404,
    ],
    [`/prices?from=${encodeURIComponent("2026-11-01' OR 1=1 --")}`, 400],
    [`/prices?to=${encodeURIComponent("2026-11-20'); SELECT 1; --")}`, 400],
    [`/runs/${encodeURIComponent("x' OR '1'='1")}`, 404],
    [
      `/quality?run=${encodeURIComponent("' UNION SELECT * FROM etl_runs --")}`,
      404,
    ],
    [`/quality?partition=${encodeURIComponent("AAPL' OR '1'='1")}`, 404],
  ];
  for (const [path, status] of attempts) {
    const response = await dashboard.handler(new Request(`http://h${path}`));
    assert.equal(response.status, status, path);
    const html = await response.text();
    assert.doesNotMatch(html, /Parser Error|Binder Error|Catalog Error/, path);
  }
  // The catalogue still holds its run: nothing was dropped.
  const runs = await (await dashboard.handler(new Request("http://h/runs")))
    .text();
  assert.match(runs, /1 latest run/);
  dashboard.close();
});

Deno.test("cleanup", async () => {
  await fixture.dispose();
});
