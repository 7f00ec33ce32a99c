/**
 * Poison records through whole runs (file source, PGlite and with
 * DATABASE_URL a Postgres server): each batch loads, the poison record is
 * kept in the quarantine with its reason, and the summary's counts equal
 * what the tables hold.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { dbTest, type TestDatabase } from "./_db.ts";
import { catalogRows } from "./_catalog.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { countsReconcile, formatSummary } from "@pipeline/summary.ts";
import type { SqlClient } from "@pipeline/load/client.ts";

const clock = fixedClock("2026-11-20T21:30:00Z");
const START = Date.parse("2026-11-20T14:30:00Z");
const HEADER = "symbol,ts,open,high,low,close,volume";

/** `n` good one-minute AAPL bars from 14:30 UTC as CSV lines. */
function goodLines(n: number, ts = (ms: number) => new Date(ms).toISOString()) {
  return Array.from(
    { length: n },
    (_, i) => `AAPL,${ts(START + i * 60_000)},190.1,190.5,190.0,190.2,1200`,
  );
}

async function writeInput(
  dir: string,
  name: string,
  text: string | Uint8Array,
) {
  const path = join(dir, name);
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  return path;
}

async function runFile(
  db: TestDatabase,
  dataDir: string,
  input: string,
  options: { snapshot?: boolean; secrets?: string[]; client?: SqlClient } = {},
) {
  const cfg = parseRunConfig({
    dataDir,
    source: "file",
    input,
    snapshot: options.snapshot ?? false,
  });
  const source = await sourceFor(cfg, { clock });
  return await runPipeline(source, { dataDir, snapshot: cfg.snapshot }, {
    client: options.client ?? db.client,
    clock,
    secrets: options.secrets,
  });
}

async function count(client: SqlClient, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return Number(rows[0]!.n);
}

async function quarantineRows(client: SqlClient) {
  const { rows } = await client.query<
    { record: string; field: string; reason: string; raw: string }
  >("SELECT record, field, reason, raw FROM quarantine ORDER BY record");
  return rows;
}

/** Asserts the run loaded, and its counts equal the tables. */
async function assertCommitted(
  db: TestDatabase,
  summary: Awaited<ReturnType<typeof runFile>>,
  expected: { loaded: number; quarantined: number },
) {
  assert.equal(summary.status, "succeeded", summary.error ?? "");
  assert.ok(countsReconcile(summary.counts), JSON.stringify(summary.counts));
  assert.equal(summary.counts.loaded, expected.loaded);
  assert.equal(summary.counts.quarantined, expected.quarantined);
  assert.equal(summary.counts.not_loaded, undefined);
  assert.equal(
    await count(db.client, "SELECT count(*)::int AS n FROM bars_1m"),
    expected.loaded,
  );
  assert.equal(
    await count(db.client, "SELECT count(*)::int AS n FROM quarantine"),
    expected.quarantined,
  );
}

dbTest(
  "a bar dated 1900-01-02 is quarantined and the batch loads",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const lines = goodLines(60);
    lines[10] = "AAPL,1900-01-02T14:30:00Z,190.1,190.5,190.0,190.2,1200";
    const input = await writeInput(
      dir,
      "old.csv",
      [HEADER, ...lines].join("\n"),
    );
    const summary = await runFile(db, dir, input);
    await assertCommitted(db, summary, { loaded: 59, quarantined: 1 });
    const [row] = await quarantineRows(db.client);
    assert.equal(row!.record, "old.csv:12");
    assert.equal(row!.field, "ts");
    assert.match(
      row!.reason,
      /^ts: timestamp is before 1990-01-01T00:00:00.000Z/,
    );
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "a NUL byte in a symbol is quarantined, escaped, and the batch loads",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const lines = goodLines(60);
    lines[3] = lines[3]!.replace("AAPL", "AA\u0000PL");
    const input = await writeInput(
      dir,
      "nul.csv",
      [HEADER, ...lines].join("\n"),
    );
    const summary = await runFile(db, dir, input);
    await assertCommitted(db, summary, { loaded: 59, quarantined: 1 });
    const [row] = await quarantineRows(db.client);
    assert.equal(row!.field, "symbol");
    assert.match(row!.reason, /^symbol: contains a control character/);
    assert.match(row!.raw, /AA\\u0000PL/, "the NUL is kept as an escape");
    const { rows } = await db.client.query<{ entity: string }>(
      "SELECT entity FROM quarantine",
    );
    assert.equal(rows[0]!.entity, "AA\\u0000PL");
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "invalid UTF-8 and a NUL in an extra field quarantine their records only",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const enc = new TextEncoder();
    const lines = goodLines(5).map((l) => `${l},fine`);
    const bytes = [
      enc.encode(`${HEADER},note\n`),
      enc.encode(`${lines[0]}\n`),
      enc.encode(lines[1]!.slice(0, 2)),
      new Uint8Array([0xff]),
      enc.encode(`${lines[1]!.slice(2)}\n`),
      enc.encode(`${lines[2]!.replace(",fine", ",bad\u0000note")}\n`),
      enc.encode(`${lines[3]}\n${lines[4]}\n`),
    ];
    const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of bytes) {
      all.set(b, at);
      at += b.length;
    }
    const input = await writeInput(dir, "enc.csv", all);
    const summary = await runFile(db, dir, input);
    await assertCommitted(db, summary, { loaded: 3, quarantined: 2 });
    const rows = await quarantineRows(db.client);
    assert.deepEqual(rows.map((r) => [r.record, r.field]), [
      ["enc.csv:3", "symbol"],
      ["enc.csv:4", "note"],
    ]);
    assert.match(rows[1]!.reason, /^note: contains a control character/);
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "a price of 1e308 is quarantined and VWAP stays finite in Postgres and the lake",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const lines = goodLines(60);
    lines[20] = "AAPL," + lines[20]!.split(",")[1] +
      ",1e308,1e308,1e308,1e308,1200";
    const input = await writeInput(
      dir,
      "big.csv",
      [HEADER, ...lines].join("\n"),
    );
    const summary = await runFile(db, dir, input, { snapshot: true });
    await assertCommitted(db, summary, { loaded: 59, quarantined: 1 });
    const [row] = await quarantineRows(db.client);
    assert.equal(row!.field, "open");
    assert.match(
      row!.reason,
      /^open: expected a price in 1e-6\.\.1e9, got "1e308"$/,
    );
    const { rows } = await db.client.query<{ v: number }>(
      "SELECT max(vwap)::float8 AS v FROM bars_1m",
    );
    assert.ok(
      Math.abs(Number(rows[0]!.v) - 190.2333) < 0.001,
      String(rows[0]!.v),
    );
    const lake = await catalogRows(
      dir,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE isinf(vwap) OR isnan(vwap))::int AS bad
     FROM read_parquet('${join(dir, "lake", "bars_1m")}/**/*.parquet')`,
    );
    assert.deepEqual(lake, [{ n: 59, bad: 0 }]);
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "epoch seconds in ts load as the right minutes, not January 1970",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const lines = goodLines(30, (ms) => String(ms / 1000));
    const input = await writeInput(
      dir,
      "secs.csv",
      [HEADER, ...lines].join("\n"),
    );
    const summary = await runFile(db, dir, input);
    await assertCommitted(db, summary, { loaded: 30, quarantined: 0 });
    const { rows } = await db.client.query<{ first: string; buckets: number }>(
      `SELECT to_char(min(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS first,
            (SELECT count(*)::int FROM bars_5m) AS buckets
     FROM bars_1m`,
    );
    assert.deepEqual(rows[0], { first: "2026-11-20T14:30", buckets: 6 });
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "a record echoing a configured secret is redacted before the quarantine and the lake",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const key = "ZX9SECRETKEY77";
    const lines = goodLines(10).map((l) => `${l},ok`);
    lines[2] = lines[2]!.replace(",ok", `,echo ${key}`);
    lines[5] = lines[5]!.replace("AAPL", key);
    const input = await writeInput(
      dir,
      "echo.csv",
      [`${HEADER},note`, ...lines].join("\n"),
    );
    const summary = await runFile(db, dir, input, {
      snapshot: true,
      secrets: [key],
    });
    await assertCommitted(db, summary, { loaded: 9, quarantined: 1 });
    const [row] = await quarantineRows(db.client);
    assert.equal(row!.record, "echo.csv:7");
    assert.equal(row!.field, "symbol");
    assert.ok(!row!.raw.includes(key) && !row!.reason.includes(key), row!.raw);
    assert.match(row!.raw, /"symbol":"\*\*\*"/);
    const { rows } = await db.client.query<{ note: string }>(
      "SELECT note FROM bars_1m WHERE note LIKE 'echo%'",
    );
    assert.deepEqual(rows, [{ note: "echo ***" }]);
    const lake = await catalogRows(
      dir,
      `SELECT (SELECT count(*) FROM read_parquet('${
        join(dir, "lake", "bars_1m")
      }/**/*.parquet') WHERE note LIKE '%${key}%')::int AS bars,
            (SELECT count(*) FROM read_parquet('${
        join(dir, "lake", "quarantine")
      }/**/*.parquet') WHERE raw LIKE '%${key}%')::int AS kept`,
    );
    assert.deepEqual(lake, [{ bars: 0, kept: 0 }]);
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest("when the load fails the summary claims nothing loaded", async (db) => {
  const dir = await Deno.makeTempDir();
  const input = await writeInput(
    dir,
    "ok.csv",
    [HEADER, ...goodLines(20)].join("\n"),
  );
  const failing: SqlClient = {
    ...db.client,
    copyFrom: () => Promise.reject(new Error("disk full during COPY")),
    transaction: (fn) => db.client.transaction(() => fn(failing)),
  };
  const summary = await runFile(db, dir, input, { client: failing });
  assert.equal(summary.status, "failed");
  assert.match(summary.error ?? "", /disk full during COPY/);
  assert.deepEqual(summary.counts, {
    extracted: 20,
    loaded: 0,
    quarantined: 0,
    duplicates: 0,
    not_loaded: 20,
  });
  assert.ok(countsReconcile(summary.counts));
  assert.match(
    formatSummary(summary),
    /extracted 20 = loaded 0 \+ quarantined 0 \+ duplicates 0 \+ not loaded 20 \(nothing committed\)/,
  );
  assert.equal(
    await count(db.client, "SELECT count(*)::int AS n FROM bars_1m"),
    0,
  );
  await Deno.remove(dir, { recursive: true });
});
