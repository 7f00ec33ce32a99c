/**
 * parseCommandLine() against the declared `deno task etl` program: which
 * flags a command takes, how values are read, defaults, the environment
 * fallback, the deprecated --kind alias and what a scheduled child is given.
 */
import assert from "node:assert/strict";
import { parseCommandLine, type ParseOptions } from "@pipeline/cli/parse.ts";
import { flagsOf } from "@pipeline/cli/program.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { ConfigError } from "@pipeline/config.ts";

const noEnv: ParseOptions = { env: () => undefined };
const parse = (argv: string[], options = noEnv) =>
  parseCommandLine(argv, ETL, options);

Deno.test("parseCommandLine() refuses a flag of another command, naming the command", async (t) => {
  const all = new Set(
    ETL.commands.flatMap((c) => flagsOf(ETL, c).map((f) => f.name)),
  );
  for (const command of ETL.commands) {
    const own = new Set(flagsOf(ETL, command).map((f) => f.name));
    const foreign = [...all].filter((n) => !own.has(n));
    await t.step(`${command.name}: ${foreign.length} foreign flags`, () => {
      for (const name of foreign) {
        const flag = ETL.commands.flatMap((c) => flagsOf(ETL, c)).find((f) =>
          f.name === name
        )!;
        const argv = [command.name, `--${name}`, ...(flag.value ? ["x"] : [])];
        assert.throws(
          () => parse(argv),
          (err: Error) =>
            err instanceof ConfigError &&
            err.message ===
              `--${name} is not a flag of the ${command.name} command`,
          argv.join(" "),
        );
      }
    });
  }
});

Deno.test("parseCommandLine() names the problem of bad usage", async (t) => {
  const cases: [string[], string][] = [
    [["--bogus"], "unknown flag --bogus"],
    [["--source"], "--source needs a value"],
    [
      ["--source", "--seed", "1"],
      `--source needs a value (write a value that starts with "-" as --source=-x)`,
    ],
    [["--json=yes"], "--json takes no value"],
    [["--sessions", "many"], `--sessions: expected a number, got "many"`],
    [["--sessions", ""], `--sessions: expected a number, got ""`],
    [
      ["--lag", "soon"],
      `--lag: expected a duration like 250ms, 30s, 5m, 2h, 1d or 1h30m, got "soon"`,
    ],
    [
      ["--source", "nope"],
      `--source: expected synthetic, file, alphavantage, finnhub, openmeteo, got "nope"`,
    ],
    [["--log-format", "xml"], `--log-format: expected text or json, got "xml"`],
    [
      ["--dataset", "trades"],
      `--dataset: expected bars, weather, symbols, eod, price_volume, got "trades"`,
    ],
    [["--attempt", "0"], `--attempt: expected a positive integer, got "0"`],
    [["--run-id", "42"], `--run-id: expected a UUID, got "42"`],
    [
      ["--pipeline", "Bad Name"],
      `--pipeline: expected 1-40 lower-case letters, digits, - or _, got "Bad Name"`,
    ],
    [
      ["--locations", "x:1"],
      `--locations: expected name:latitude:longitude, got "x:1"`,
    ],
    [["frobnicate"], `unknown command "frobnicate"`],
    [["help", "frobnicate"], `unknown command "frobnicate"`],
    [["status", "extra"], "unexpected argument: extra"],
    [["reset", "bars", "weather"], "unexpected argument: weather"],
    [
      ["backfill", "--reprocess", "some"],
      `--reprocess: expected missing, failed, all, got "some"`,
    ],
    [
      ["schedule", "--retry-base", "soon"],
      `--retry-base: expected a duration like 250ms, 30s, 5m, 2h, 1d or 1h30m, got "soon"`,
    ],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" ") || "(none)", () => {
      assert.throws(() => parse(argv), { name: "ConfigError", message });
    });
  }
});

Deno.test("parseCommandLine() reads values into their settings and applies option defaults", () => {
  const line = parse([
    "--symbols",
    "aapl, msft,,",
    "--sessions",
    "2",
    "--lag",
    "1h30m",
    "--no-snapshot",
    "--locations",
    "oslo:59.9:10.7",
    "--json",
  ]);
  assert.equal(line.command?.name, "run");
  assert.deepEqual(line.settings.config, {
    symbols: ["AAPL", "MSFT"],
    sessions: 2,
    lagMs: 5_400_000,
    snapshot: false,
    locations: [{ name: "oslo", latitude: 59.9, longitude: 10.7 }],
  });
  assert.deepEqual(line.settings.options, {
    json: true,
    wait: false,
    trigger: "manual",
    attempt: 1,
    logFormat: "text",
  });
  const status = parse(["status"]);
  assert.deepEqual(status.settings.options, {
    limit: 10,
    json: false,
    logFormat: "text",
  });
  const schedule = parse(["schedule", "--retries", "5", "--missed", "all"]);
  assert.deepEqual(schedule.settings.schedule, { retries: 5, missed: "all" });
});

Deno.test("parseCommandLine() reads --database-url from DATABASE_URL when absent, and never passes it on", () => {
  const url = "postgres://u:secret@db/x";
  const fromEnv = parse(["--data-dir", "/d"], {
    env: (name) => name === "DATABASE_URL" ? url : undefined,
  });
  assert.equal(fromEnv.settings.config.databaseUrl, url);
  const given = parse(["schedule", "--database-url", url, "--seed", "7"]);
  assert.equal(given.settings.config.databaseUrl, url);
  assert.deepEqual(given.runArgs, ["--seed", "7"]);
});

Deno.test("parseCommandLine() passes the run flags as given on to a scheduled run", () => {
  const line = parse([
    "schedule",
    "--cron",
    "*/5 * * * *",
    "--source",
    "synthetic",
    "--symbols",
    "AAPL",
    "--no-snapshot",
    "--data-dir",
    "/d",
    "--log-format",
    "json",
    "--pipeline",
    "p1",
  ]);
  assert.deepEqual(line.runArgs, [
    "--source",
    "synthetic",
    "--symbols",
    "AAPL",
    "--no-snapshot",
    "--data-dir",
    "/d",
  ]);
});

Deno.test("--kind is a deprecated alias of --dataset: one warning, and a scheduled run is given --dataset", async (t) => {
  await t.step("--kind symbols", () => {
    const line = parse(["schedule", "--kind", "symbols", "--source", "file"]);
    assert.equal(line.settings.config.dataset, "symbols");
    assert.deepEqual(line.warnings, [
      "warning: --kind is deprecated and will be removed in the next release; use --dataset symbols",
    ]);
    assert.deepEqual(line.runArgs, [
      "--dataset",
      "symbols",
      "--source",
      "file",
    ]);
  });
  await t.step("--kind bars: the source's own dataset", () => {
    const line = parse(["schedule", "--kind", "bars", "--source", "openmeteo"]);
    assert.equal("dataset" in line.settings.config, false);
    assert.equal(line.warnings.length, 1);
    assert.match(line.warnings[0]!, /^warning: --kind is deprecated/);
    assert.deepEqual(line.runArgs, ["--source", "openmeteo"]);
  });
  await t.step("--kind twice warns once", () => {
    assert.equal(
      parse(["--kind", "bars", "--kind", "symbols"]).warnings.length,
      1,
    );
  });
  await t.step("--kind with --dataset is refused", () => {
    assert.throws(() => parse(["--kind", "symbols", "--dataset", "bars"]), {
      message: "give --dataset, not both --dataset and --kind",
    });
  });
  await t.step("--kind other is refused", () => {
    assert.throws(() => parse(["--kind", "weather"]), {
      message: `--kind: expected bars or symbols, got "weather"`,
    });
  });
  await t.step("--dataset alone warns nothing", () => {
    const line = parse(["--dataset", "symbols"]);
    assert.deepEqual(line.warnings, []);
    assert.equal(line.settings.config.dataset, "symbols");
  });
});

Deno.test("parseCommandLine() asks for help without reading other flags", async (t) => {
  const cases: [string[], string | undefined][] = [
    [["--help"], undefined],
    [["-h"], undefined],
    [["help"], undefined],
    [["help", "backfill"], "backfill"],
    [["backfill", "--help"], "backfill"],
    [["status", "-h", "--symbols", "A"], "status"],
  ];
  for (const [argv, name] of cases) {
    await t.step(argv.join(" "), () => {
      const line = parse(argv);
      assert.equal(line.help, true);
      assert.equal(line.command?.name, name);
    });
  }
});
