/**
 * `deno task etl backfill` and `deno task etl reset` as a user runs them: a
 * real process on embedded PGlite, no network.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureServer, reply } from "../fixtures/server.ts";
import { spawnEtl } from "../ops/_process.ts";

async function etl(args: string[], env: Record<string, string> = {}) {
  return await spawnEtl(args, { env }).done;
}

Deno.test("etl backfill --from-raw rebuilds a month from landed responses in day chunks, without calling the API", async () => {
  const ibm = await Deno.readTextFile(
    "tests/fixtures/alphavantage/intraday_ibm_2026-11.json",
  );
  const dataDir = await Deno.makeTempDir();
  const common = ["--as-of", "2026-11-22T12:00:00Z"];
  try {
    {
      await using server = fixtureServer(reply(ibm));
      const land = await etl(
        [
          "--source",
          "alphavantage",
          "--symbols",
          "IBM",
          "--month",
          "2026-11",
          "--data-dir",
          join(dataDir, "landing"),
          "--json",
          ...common,
        ],
        { ALPHAVANTAGE_BASE_URL: server.url, ALPHAVANTAGE_API_KEY: "k" },
      );
      assert.equal(land.code, 0, land.stderr);
    }
    const fresh = join(dataDir, "fresh");
    await Deno.mkdir(fresh);
    await Deno.rename(join(dataDir, "landing", "raw"), join(fresh, "raw"));
    const args = [
      "backfill",
      "--source",
      "alphavantage",
      "--from-raw",
      "--from",
      "2026-11-01",
      "--to",
      "2026-12-01",
      "--data-dir",
      fresh,
      "--json",
      ...common,
    ];
    const env = { ALPHAVANTAGE_BASE_URL: "http://127.0.0.1:9" }; // nothing there
    const dry = await etl([...args, "--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).planned, 30);
    assert.match(dry.stderr, /dry run: nothing written/);

    const done = await etl(args, env);
    assert.equal(done.code, 0, done.stderr);
    const report = JSON.parse(done.stdout);
    assert.equal(report.succeeded, 30);
    assert.ok(report.loaded > 0);
    assert.equal(
      report.extracted,
      report.loaded + report.quarantined + report.duplicates,
    );
    assert.match(done.stderr, /backfill: 30\/30 chunks \(100%\), [\d,]+ rows/);
    assert.match(done.stderr, /ETA/);
    // The chunks went through the stage runner, the lake included.
    const lake = [];
    for await (const e of Deno.readDir(join(fresh, "lake", "bars_1m"))) {
      lake.push(e.name);
    }
    assert.ok(report.dates.length > 0);
    assert.deepEqual(
      lake.sort(),
      report.dates.map((d: string) => `date=${d}`),
    );

    const again = await etl(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).planned, 0, "nothing to redo");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("etl reset asks for --yes when it cannot ask, then wipes the dataset and its state", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const run = await etl([
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--as-of",
      "2026-11-20T21:30:00Z",
      "--data-dir",
      dataDir,
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const refused = await etl(["reset", "bars", "--data-dir", dataDir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /confirm with --yes/);
    const bogus = await etl(["reset", "nope", "--yes", "--data-dir", dataDir]);
    assert.equal(bogus.code, 2);
    assert.match(
      bogus.stderr,
      /reset needs a dataset: bars, weather, symbols, eod/,
    );

    const reset = await etl(["reset", "bars", "--yes", "--data-dir", dataDir]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(
      reset.stderr,
      /reset bars: bars_1m 3\d\d rows, bars_5m 78 rows/,
    );
    assert.match(reset.stderr, /1 watermarks/);
    // The next run starts from nothing: it loads the whole session again.
    const rerun = await etl([
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--as-of",
      "2026-11-20T21:30:00Z",
      "--data-dir",
      dataDir,
      "--json",
    ]);
    const summary = JSON.parse(rerun.stdout);
    assert.equal(summary.tables[0].inserted, summary.counts.loaded);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("etl backfill rejects bad usage with exit 2", async (t) => {
  for (
    const [args, message] of [
      [["--from", "2026-11-01"], /needs --from DATE and --to DATE/],
      [["--from", "2026-11-05", "--to", "2026-11-01"], /must be after/],
      [
        ["--from", "2026-11-01", "--to", "2026-11-02", "--reprocess", "some"],
        /--reprocess: expected missing, failed, all/,
      ],
      [
        [
          "--from",
          "2026-11-01",
          "--to",
          "2026-11-02",
          "--source",
          "file",
          "--input",
          "x.csv",
        ],
        /backfill needs a source with partitions/,
      ],
    ] as const
  ) {
    await t.step(args.join(" "), async () => {
      const dataDir = await Deno.makeTempDir();
      const out = await etl(["backfill", ...args, "--data-dir", dataDir]);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, message);
      await Deno.remove(dataDir, { recursive: true });
    });
  }
});
