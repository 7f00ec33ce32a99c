/**
 * `deno task query`: each format to stdout and to --out, parquet, SQL on
 * stdin, errors, a moved data folder, and the task itself.
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import { runQuery, type RunQueryOptions } from "@pipeline/query/run_query.ts";
import { queryCommand } from "@pipeline/cli/commands/query.ts";
import { fixtureDataDir } from "../../query/_catalog.ts";

/** {@link runQuery} over the fixture with stdout and stderr captured. */
export async function query(
  options: Partial<RunQueryOptions> & { stdin?: string },
) {
  let stdout = "";
  let stderr = "";
  const code = await runQuery({
    dataDir: await fixtureDataDir(),
    write: (t) => stdout += t,
    warn: (t) => stderr += t,
    stdinIsTerminal: options.stdin === undefined,
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    ...options,
  });
  return { code, stdout, stderr };
}

const LATEST =
  "select symbol, ts, close from latest_bars order by symbol limit 1";

Deno.test("query prints an aligned table with exchange-time timestamps by default", async () => {
  const r = await query({ sql: LATEST });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines[0]!, /^symbol +ts +close$/);
  assert.match(
    lines[2]!,
    /^AAPL +2026-11-20 15:59:00-05:00 +\d+(\.\d{1,4})?$/,
  );
  assert.equal(lines[3], "(1 row)");
  assert.doesNotMatch(r.stdout, /GMT|Coordinated Universal Time/);
});

Deno.test("query --format csv and json print ISO timestamps and exact values", async () => {
  const csv = await query({ sql: LATEST, format: "csv", timeZone: "UTC" });
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(
    csv.stdout,
    /^symbol,ts,close\nAAPL,2026-11-20T20:59:00Z,[\d.]+\n$/,
  );
  const json = await query({ sql: LATEST, format: "json" });
  assert.equal(json.code, 0, json.stderr);
  const [row] = JSON.parse(json.stdout);
  assert.equal(row.symbol, "AAPL");
  assert.equal(row.ts, "2026-11-20T15:59:00-05:00");
  assert.equal(typeof row.close, "number");
  // csv and json carry the same close, unrounded.
  assert.equal(Number(csv.stdout.trim().split(",").at(-1)), row.close);
});

Deno.test("query --out writes the result of the last statement to the file", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    for (const format of ["table", "csv", "json"] as const) {
      await t.step(format, async () => {
        const out = `${dir}/out.${format}`;
        const r = await query({
          sql: `set TimeZone = 'UTC'; ${LATEST}`,
          format,
          out,
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /wrote 1 rows to /);
        const text = await Deno.readTextFile(out);
        assert.ok(text.includes("AAPL"), text);
      });
    }
    await t.step("parquet", async () => {
      const out = `${dir}/daily.parquet`;
      const r = await query({
        sql: "select * from daily_summary order by symbol, session",
        format: "parquet",
        out,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote 4 rows to /);
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      try {
        const rows = (await conn.runAndReadAll(
          `select symbol, strftime(session, '%Y-%m-%d') as session, minute_bars
           from '${out}' order by all`,
        )).getRowObjectsJson();
        assert.deepEqual(rows.map((r) => r.symbol), [
          "AAPL",
          "AAPL",
          "MSFT",
          "MSFT",
        ]);
        assert.deepEqual(rows.map((r) => r.session), [
          "2026-11-19",
          "2026-11-20",
          "2026-11-19",
          "2026-11-20",
        ]);
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    });
    await t.step("parquet without --out is bad usage", async () => {
      const r = await query({ sql: LATEST, format: "parquet" });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--format parquet needs --out FILE/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("query exits 1 with DuckDB's message, short, on a SQL error", async () => {
  const r = await query({ sql: "select * from no_such_table" });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^error: Catalog Error: Table with name no_such_table does not exist/,
  );
  assert.ok(r.stderr.length <= 420, r.stderr);
  assert.equal(r.stderr.split("\n").length, 2);
});

Deno.test("query reads SQL from stdin when it is not a terminal and no query is given", async () => {
  const r = await query({
    stdin: "select count(*) as n from etl_runs where status = 'succeeded';\n" +
      "select count(*) as symbols from dim_symbol_current;\n",
    format: "csv",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "n\n1\nsymbols\n0\n");
  const empty = await query({ stdin: "  \n" });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no SQL/);
});

Deno.test("query without a catalogue in --data-dir exits 2 and says how to make one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await query({ dataDir: dir, sql: "select 1" });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /no catalogue at .*analytics\.duckdb: run 'deno task etl' first/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("query reads a data folder copied elsewhere, from another working directory", async () => {
  const copy = await Deno.realPath(await Deno.makeTempDir());
  const cwd = Deno.cwd();
  try {
    const src = await fixtureDataDir();
    // node:fs rather than a `cp` process: a machine may have Deno only.
    await cp(src, `${copy}/data`, { recursive: true });
    // The original is out of the way: only the copy can answer.
    await Deno.rename(src, `${src}.away`);
    try {
      Deno.chdir("/");
      const r = await query({
        dataDir: `${copy}/data`,
        sql:
          "select count(*) as n from bars_1m; select count(*) as n from quarantine",
        format: "csv",
      });
      assert.equal(r.code, 0, r.stderr);
      const [bars, quarantined] = r.stdout.split("n\n").slice(1).map(Number);
      assert.ok(bars! > 1000 && quarantined! > 0, r.stdout);
    } finally {
      Deno.chdir(cwd);
      await Deno.rename(`${src}.away`, src);
    }
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("deno task query runs the command: exit 0 with the table, 1 on an error", async () => {
  const dataDir = await fixtureDataDir();
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "query", "--data-dir", dataDir, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  };
  const ok = await run("select count(*) as runs from etl_runs");
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, "runs\n----\n   1\n(1 row)\n");
  const bad = await run("select from");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: Parser Error/);
  assert.equal(queryCommand.name, "query");
});
