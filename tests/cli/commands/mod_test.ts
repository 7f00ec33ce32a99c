/**
 * The command registry and each command module's help, as `deno task etl
 * help CMD` and `deno task etl CMD --help` print it.
 */
import assert from "node:assert/strict";
import { COMMANDS } from "@pipeline/cli/commands/mod.ts";
import { commandHelp } from "@pipeline/cli/help.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { main } from "@pipeline/main.ts";

/** What main() printed on stdout, and its exit status. */
async function captured(argv: string[]): Promise<[number, string]> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  try {
    const code = await main(argv);
    return [code, out.join("\n")];
  } finally {
    console.log = log;
  }
}

Deno.test("COMMANDS holds each command once, run first", () => {
  const names = COMMANDS.map((c) => c.name);
  assert.deepEqual(names, [
    "run",
    "schedule",
    "status",
    "backfill",
    "reset",
    "migrate",
    "retention",
    "diff",
    "snapshot",
    "query",
    "produce",
    "stream",
    "validate-stream",
    "serve",
  ]);
  assert.equal(new Set(names).size, names.length);
});

Deno.test("each command module's help says what the command does and how it exits", async (t) => {
  const fragments: Record<string, RegExp[]> = {
    run: [
      /^deno task etl \[run\] \[FLAGS\]/,
      /extract -> validate -> transform -> load -> snapshot/,
      /Set by the scheduler[\s\S]*--run-id UUID[\s\S]*--scheduled-for TIME/,
      /--dataset NAME +bars \| weather \| symbols \| eod \| price_volume:/,
      /4 interrupted/,
    ],
    schedule: [
      /^deno task etl schedule/,
      /--missed POLICY +skip \| once \| all:/,
      /Run flags of the scheduled ETL:\n {2}--source NAME/,
      /Durations: 250ms/,
      /3 another scheduler/,
    ],
    status: [/--limit N +recent runs to list \(default 10\)/],
    backfill: [
      /^deno task etl backfill --from DATE --to DATE/,
      /--reprocess WHICH +missing \| failed \| all:/,
      /Run flags:\n {2}--source NAME/,
      /4\s+interrupted \(run it again to\s+resume\)/,
    ],
    reset: [
      /^deno task etl reset DATASET/,
      /Arguments:\n {2}DATASET +the dataset to wipe: bars, weather, symbols, eod/,
      /--yes +do not ask/,
    ],
    migrate: [/Applies the pending schema migrations/, /Common flags:/],
    retention: [/--older-than DURATION/, /Durations: 12h, 90d/],
    diff: [/--key A,B +key columns \(default the table's key/],
    snapshot: [
      /^deno task etl snapshot/,
      /1 +a partition could not be written/,
    ],
    query: [
      /^deno task query \["SQL"\] \[--format table\|csv\|json\|parquet\]/,
      /--format FORMAT +table \| csv \| json \| parquet:/,
      /--tz ZONE[\s\S]*\(default\s+America\/New_York\)/,
      /1 +a statement failed/,
    ],
    produce: [
      /^deno task etl produce/,
      /--rate N\/s +messages per second at most/,
      /Run flags:\n {2}--source NAME/,
    ],
    stream: [
      /^deno task etl stream/,
      /--until-idle D +exit 0 after this long without a message/,
      /--consumer NAME/,
      /0 +idle \(--until-idle\) or stopped by SIGINT\/SIGTERM/,
    ],
    "validate-stream": [
      /^deno task etl validate-stream/,
      /--consumer NAME +the durable consumer \(default sluice-validate\)/,
    ],
    serve: [
      /^deno task serve \[--port 8080\] \[--host 127\.0\.0\.1\]/,
      /--host HOST[\s\S]*SLUICE_DASHBOARD_TOKEN/,
      /2 bad usage:\s+another host without a token/,
    ],
  };
  for (const command of COMMANDS) {
    await t.step(command.name, async () => {
      const help = commandHelp(ETL, command);
      for (const re of fragments[command.name] ?? []) assert.match(help, re);
      assert.match(help, /Exit status: 0 /);
      assert.match(
        help,
        /Common flags:\n {2}--data-dir DIR[\s\S]*-h, --help +show this help/,
      );
      assert.deepEqual(await captured(["help", command.name]), [0, help]);
      assert.deepEqual(await captured([command.name, "--help"]), [0, help]);
      assert.deepEqual(await captured([command.name, "-h"]), [0, help]);
    });
  }
  assert.deepEqual(Object.keys(fragments), COMMANDS.map((c) => c.name));
});

Deno.test("main() exits 2 for a dataset the source cannot deliver, before opening anything", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    for (
      const argv of [
        ["--dataset", "weather"],
        ["--source", "openmeteo", "--dataset", "bars"],
        ["--source", "finnhub", "--kind", "symbols"],
        ["backfill", "--source", "alphavantage", "--dataset", "symbols"],
      ]
    ) {
      assert.equal(
        await main([...argv, "--data-dir", dataDir]),
        2,
        argv.join(" "),
      );
    }
    assert.deepEqual([...Deno.readDirSync(dataDir)], [], "nothing was created");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
