/**
 * The `deno task etl` command line, as a user runs it: a real process, a
 * fixture HTTP server on 127.0.0.1 standing in for the providers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DATABASE_KINDS, openTestDatabase } from "./_db.ts";
import { runEtl as etl } from "./_cli.ts";
import { fixtureServer, inSequence, reply } from "./fixtures/server.ts";
import { main } from "@pipeline/main.ts";

const SECRET = "sk-TEST-9f8e7d6c5b4a";

Deno.test("etl --help documents every command and flag", async (t) => {
  const { code, stdout } = await etl(["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /Commands:[\s\S]*run[\s\S]*migrate/);
  const run = await etl(["run", "--help"]);
  for (
    const flag of [
      "--source",
      "--input",
      "--symbols",
      "--sessions",
      "--seed",
      "--defect-rate",
      "--start",
      "--end",
      "--month",
      "--locations",
      "--from-raw",
      "--as-of",
      "--json",
      "--data-dir",
      "--database-url",
    ]
  ) {
    await t.step(flag, () => assert.ok(run.stdout.includes(flag), flag));
  }
  assert.equal((await etl(["help", "migrate"])).code, 0);
});

Deno.test("etl rejects bad usage with exit 2 and a message naming the problem", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--source", "file"], /--source file needs --input PATH/],
    [["--source", "nope"], /source/],
    [["--sessions", "many"], /--sessions: expected a number, got "many"/],
    [["--bogus"], /bogus/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["--from-raw"], /--from-raw needs an HTTP source/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await etl(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

Deno.test("main() with a missing API key says which variable to set (exit 2, no network)", async () => {
  const dataDir = await Deno.makeTempDir();
  const r = await etl(
    ["--source", "finnhub", "--symbols", "IBM", "--data-dir", dataDir],
    { FINNHUB_BASE_URL: "http://127.0.0.1:9" },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /FINNHUB_API_KEY/);
  await Deno.remove(dataDir, { recursive: true });
});

for (const kind of DATABASE_KINDS) {
  Deno.test(
    `etl --source alphavantage loads IBM when MSFT fails, names MSFT, never prints the key [${kind}]`,
    async () => {
      const ibm = await Deno.readTextFile(
        "tests/fixtures/alphavantage/intraday_ibm_2026-11.json",
      );
      const invalid = await Deno.readTextFile(
        "tests/fixtures/alphavantage/error_message.json",
      );
      await using server = fixtureServer((req) => {
        const symbol = new URL(req.url).searchParams.get("symbol");
        return symbol === "IBM" ? reply(ibm)() : reply(invalid)();
      });
      const dataDir = await Deno.makeTempDir();
      const db = kind === "postgres"
        ? await openTestDatabase("postgres", { migrate: false })
        : undefined;
      try {
        const r = await etl([
          "--source",
          "alphavantage",
          "--symbols",
          "IBM,MSFT",
          "--month",
          "2026-11",
          "--as-of",
          "2026-11-22T12:00:00Z",
          "--data-dir",
          dataDir,
          "--json",
        ], {
          ALPHAVANTAGE_BASE_URL: server.url,
          ALPHAVANTAGE_API_KEY: SECRET,
          ...(db?.url ? { DATABASE_URL: db.url } : {}),
        });
        assert.equal(r.code, 1, r.stderr);
        const summary = JSON.parse(r.stdout);
        assert.equal(summary.status, "failed");
        const byName = Object.fromEntries(
          summary.partitions.map((
            p: { partition: string },
          ) => [p.partition, p]),
        );
        assert.equal(byName["IBM 2026-11"].status, "succeeded");
        assert.equal(byName["MSFT 2026-11"].status, "failed");
        assert.match(byName["MSFT 2026-11"].error, /Invalid API call/);
        assert.match(r.stderr, /FAILED partition MSFT 2026-11/);
        assert.ok(summary.counts.loaded > 0, "IBM was loaded");
        assert.ok(
          server.requests.every((q) =>
            q.url.searchParams.get("apikey") === SECRET
          ),
          "the key was sent to the provider",
        );
        for (const text of [r.stdout, r.stderr]) {
          assert.ok(!text.includes(SECRET), "the key leaked into the output");
        }
        // nor into landed metadata
        for await (const f of walk(join(dataDir, "raw"))) {
          if (f.endsWith(".meta.json")) {
            assert.ok(!(await Deno.readTextFile(f)).includes(SECRET), f);
          }
        }
      } finally {
        await db?.dispose();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  );
}

Deno.test("etl --from-raw rebuilds the warehouse from landed responses without calling the API", async () => {
  const ibm = await Deno.readTextFile(
    "tests/fixtures/alphavantage/intraday_ibm_2026-11.json",
  );
  const dataDir = await Deno.makeTempDir();
  const common = [
    "--month",
    "2026-11",
    "--as-of",
    "2026-11-22T12:00:00Z",
    "--json",
  ];
  {
    await using server = fixtureServer(reply(ibm));
    const first = await etl(
      [
        "--source",
        "alphavantage",
        "--symbols",
        "IBM",
        "--data-dir",
        dataDir,
        ...common,
      ],
      { ALPHAVANTAGE_BASE_URL: server.url, ALPHAVANTAGE_API_KEY: SECRET },
    );
    assert.equal(first.code, 0, first.stderr);
  }
  const fresh = join(dataDir, "fresh");
  await Deno.mkdir(fresh);
  await Deno.rename(join(dataDir, "raw"), join(fresh, "raw"));
  const replay = await etl(
    ["--source", "alphavantage", "--from-raw", "--data-dir", fresh, ...common],
    { ALPHAVANTAGE_BASE_URL: "http://127.0.0.1:9" }, // nothing listens there
  );
  assert.equal(replay.code, 0, replay.stderr);
  const summary = JSON.parse(replay.stdout);
  assert.ok(summary.counts.loaded > 0);
  assert.deepEqual(
    summary.partitions.map((p: { partition: string }) => p.partition),
    [
      "IBM 2026-11",
    ],
  );
  // The replay went through the stage runner: quality gate and lake too.
  assert.deepEqual(
    summary.stages.map((s: { stage: string }) => s.stage),
    ["extract", "validate", "transform", "quality", "load", "snapshot"],
  );
  assert.ok(summary.checks.pass > 0, JSON.stringify(summary.checks));
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("main() backs off on an Alpha Vantage rate-limit note and then loads", async () => {
  // In process, so the test can count the waits instead of sleeping them.
  const ibm = await Deno.readTextFile(
    "tests/fixtures/alphavantage/intraday_ibm_2026-11.json",
  );
  const note = await Deno.readTextFile(
    "tests/fixtures/alphavantage/note_rate_limit.json",
  );
  await using server = fixtureServer(
    inSequence(reply(note), reply(ibm)),
  );
  const { runPipeline } = await import("@pipeline/run.ts");
  const { sourceFor } = await import("@pipeline/sources.ts");
  const { parseRunConfig } = await import("@pipeline/config.ts");
  const { fixedClock } = await import("@pipeline/clock.ts");
  const { connectPglite } = await import("@pipeline/load/client.ts");
  const dataDir = await Deno.makeTempDir();
  const clock = fixedClock("2026-11-22T12:00:00Z");
  const waits: number[] = [];
  const config = parseRunConfig({
    source: "alphavantage",
    symbols: ["IBM"],
    month: "2026-11",
    dataDir,
    snapshot: false,
  });
  const source = await sourceFor(config, {
    clock,
    http: {
      env: { ALPHAVANTAGE_BASE_URL: server.url, ALPHAVANTAGE_API_KEY: SECRET },
      dotenv: false,
      sleep: (ms: number) => {
        waits.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    },
  });
  const client = await connectPglite();
  try {
    const summary = await runPipeline(source, { dataDir, snapshot: false }, {
      client,
      clock,
    });
    assert.equal(summary.status, "succeeded", summary.error ?? "");
    assert.ok(summary.counts.loaded > 0);
    assert.equal(server.requests.length, 2, "the note was retried once");
    assert.ok(waits.some((w) => w > 0), "it waited before retrying");
  } finally {
    await client.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("main() returns 2 for an invalid --database-url without connecting", async () => {
  assert.equal(await main(["--database-url", "mysql://x", "--no-snapshot"]), 2);
});

async function* walk(dir: string): AsyncGenerator<string> {
  try {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) yield* walk(p);
      else yield p;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

Deno.test("etl help documents the schedule and status commands, exit codes and env", async (t) => {
  const main = await etl(["--help"]);
  assert.match(main.stdout, /schedule[\s\S]*status[\s\S]*ALERT_WEBHOOK_URL/);
  const run = await etl(["help", "run"]);
  for (const text of ["--wait", "--pipeline", "--log-format", "3 locked"]) {
    await t.step(`run: ${text}`, () => assert.ok(run.stdout.includes(text)));
  }
  const schedule = await etl(["help", "schedule"]);
  for (
    const flag of [
      "--cron",
      "--retention-cron",
      "--missed",
      "--missed-cap",
      "--retries",
      "--retry-base",
      "--retry-max",
      "--stale-after",
      "--metrics-port",
      "--executor",
      "--source",
    ]
  ) {
    await t.step(`schedule: ${flag}`, () => {
      assert.ok(schedule.stdout.includes(flag), flag);
    });
  }
  const status = await etl(["help", "status"]);
  assert.match(status.stdout, /--limit[\s\S]*--json/);
});

Deno.test("etl rejects bad operations flags with exit 2", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--cron", "* * * * *"], /--cron is not a flag of the run command/],
    [["status", "--symbols", "AAPL"], /--symbols is not a flag of the status/],
    [["schedule", "--cron", "61 * * * *"], /invalid cron expression/],
    [["schedule", "--missed", "twice"], /missed/],
    [["schedule", "--retry-base", "soon"], /--retry-base: expected a duration/],
    [["--log-format", "xml"], /--log-format: expected text or json/],
    [["--pipeline", "Bad Name"], /--pipeline: expected 1-40 lower-case/],
    [["--trigger", "cron"], /--trigger: expected manual, schedule, backfill/],
    [["--run-id", "42"], /--run-id: expected a UUID/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await etl(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

Deno.test("etl run --log-format json writes JSON lines carrying the run id; status --json reports the run", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const common = ["--data-dir", dataDir];
    const r = await etl([
      "run",
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--no-snapshot",
      "--as-of",
      "2026-11-20T21:30:00Z",
      "--log-format",
      "json",
      "--trigger",
      "backfill",
      ...common,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split("\n").map((l) => JSON.parse(l));
    const runId = lines[0].run_id;
    assert.match(runId, /^[0-9a-f-]{36}$/);
    assert.ok(lines.every((l) => l.run_id === runId && l.ts && l.level));
    assert.equal(lines.at(-1).msg, "run succeeded");
    const s = await etl(["status", "--json", ...common]);
    assert.equal(s.code, 0, s.stderr);
    const status = JSON.parse(s.stdout);
    assert.equal(status.runs[0].run_id, runId);
    assert.equal(status.runs[0].trigger, "backfill");
    assert.equal(status.sources[0].source, "synthetic");
    assert.equal(status.sources[0].newest_ts, "2026-11-20T20:59:00.000Z");
    assert.equal(status.quarantine[0].dataset, "bars");
    const text = await etl(["status", ...common]);
    assert.match(text.stdout, /Recent runs[\s\S]*backfill/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("etl help retention documents its flags; bad retention flags exit 2", async (t) => {
  const main = await etl(["--help"]);
  assert.match(main.stdout, /Commands:[\s\S]*retention/);
  const help = await etl(["retention", "--help"]);
  assert.equal(help.code, 0);
  for (const flag of ["--older-than", "--table", "--dry-run", "--json"]) {
    await t.step(`retention: ${flag}`, () => {
      assert.ok(help.stdout.includes(flag), flag);
    });
  }
  const cases: [string[], RegExp][] = [
    [
      ["retention", "--older-than", "soon"],
      /--older-than: expected a duration/,
    ],
    [
      ["retention", "--symbols", "AAPL"],
      /--symbols is not a flag of the retention/,
    ],
    [
      ["run", "--older-than", "30d"],
      /--older-than is not a flag of the run command/,
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await etl(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});
