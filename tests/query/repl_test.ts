import assert from "node:assert/strict";
import { Repl } from "@pipeline/query/repl.ts";
import { QuerySession } from "@pipeline/query/session.ts";
import { fixtureDataDir } from "./_catalog.ts";

/** A prompt over the fixture catalogue; `lines` fed in order. */
async function feed(lines: string[]) {
  const session = await QuerySession.open(await fixtureDataDir());
  let out = "";
  const repl = new Repl({ session, write: (t) => out += t });
  const prompts: string[] = [];
  let quit = false;
  try {
    for (const line of lines) {
      prompts.push(repl.prompt);
      if (!(await repl.feed(line))) {
        quit = true;
        break;
      }
    }
  } finally {
    session.close();
  }
  return { out, prompts, quit };
}

Deno.test("Repl .tables lists the lake's views, the ops tables and the convenience views", async () => {
  const { out } = await feed([".tables"]);
  const names = out.split("\n").slice(2).map((l) => l.split(/\s+/)[0]);
  for (
    const name of [
      "bars_1m",
      "bars_5m",
      "bars_1h",
      "bars_1d",
      "quarantine",
      "etl_runs",
      "etl_run_stages",
      "etl_checks",
      "etl_loads",
      "etl_watermarks",
      "etl_lake_debt",
      "dim_symbol",
      "dim_symbol_current",
      "latest_bars",
      "daily_summary",
      "etl_run_quarantine",
      "lake_files",
    ]
  ) assert.ok(names.includes(name), `${name} in .tables:\n${out}`);
  assert.match(out, /latest_bars +view +the latest one-minute bar/);
});

Deno.test("Repl .schema TABLE prints its columns; an unknown table is an error, not an exit", async () => {
  const { out, quit } = await feed([".schema bars_1d", ".schema nope"]);
  assert.match(out, /bars_1d +ts +TIMESTAMP WITH TIME ZONE/);
  assert.match(out, /bars_1d +month +VARCHAR/);
  assert.match(out, /error: no table or view named nope/);
  assert.equal(quit, false);
});

Deno.test("Repl runs a statement typed over several lines when ; ends it", async () => {
  const { out, prompts } = await feed([
    "select symbol, count(*) as n",
    "from bars_1d",
    "group by symbol order by symbol;",
  ]);
  assert.deepEqual(prompts, ["sluice> ", "   ...> ", "   ...> "]);
  assert.equal(
    out,
    "symbol  n\n------  -\nAAPL    2\nMSFT    2\n(2 rows)\n",
  );
});

Deno.test("Repl prints a SQL error and goes on; .format csv switches the output; .quit leaves", async () => {
  const { out, quit } = await feed([
    "select nope;",
    ".format csv",
    "select 1 as one;",
    ".quit",
    "select 2;",
  ]);
  assert.match(out, /^error: Binder Error: .*nope/);
  assert.ok(out.endsWith("one\n1\n"), out);
  assert.equal(quit, true);
});

Deno.test("Repl .help lists the commands; an unknown command says so", async () => {
  const { out } = await feed([".help", ".frobnicate"]);
  for (const c of [".tables", ".schema", ".format", ".quit"]) {
    assert.ok(out.includes(c), c);
  }
  assert.match(out, /error: unknown command \.frobnicate/);
});
