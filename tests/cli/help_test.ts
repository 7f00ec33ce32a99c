/**
 * Help generated from the declarations: each command's help lists exactly
 * its declared flags, and the defaults it shows are the schemas' defaults.
 */
import assert from "node:assert/strict";
import { commandHelp, programHelp, wrap } from "@pipeline/cli/help.ts";
import { flagsOf } from "@pipeline/cli/program.ts";
import { shownDefault } from "@pipeline/cli/flag.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { RunConfigFields } from "@pipeline/config.ts";
import { ScheduleConfigSchema } from "@pipeline/schedule/config.ts";

/** The flags a help text lists, one per flag line, in order. */
function listedFlags(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) =>
    m[1]!
  );
}

Deno.test("commandHelp() of each command lists every declared flag of it and no other", async (t) => {
  for (const command of ETL.commands) {
    await t.step(command.name, () => {
      const help = commandHelp(ETL, command);
      assert.deepEqual(
        listedFlags(help),
        flagsOf(ETL, command).map((f) => f.name),
      );
      assert.ok(help.startsWith(`${command.usage}\n`));
      for (const [status] of command.exit) {
        assert.match(help, new RegExp(`Exit status:[\\s\\S]*\\b${status}\\s`));
      }
      for (const p of command.positionals ?? []) {
        assert.match(help, new RegExp(`Arguments:\\n  ${p.name} `));
      }
      for (const line of help.split("\n")) {
        assert.ok(line.length <= 80, `too wide: ${line}`);
      }
    });
  }
});

Deno.test("programHelp() lists every command and help, and no flag", () => {
  const help = programHelp(ETL);
  const listed = [
    ...help.matchAll(/^ {2}([a-z][a-z-]*)(?: +\S|\n {4,}\S)/gm),
  ].map((m) => m[1]);
  assert.deepEqual(
    listed.filter((n) => n !== undefined && !/^[A-Z]/.test(n)),
    [...ETL.commands.map((c) => c.name), "help"],
  );
  assert.deepEqual(listedFlags(help), []);
});

Deno.test("the defaults help shows are the defaults the schemas apply", async (t) => {
  // Summarised rather than literal: the ten tickers and three locations.
  const summarised = new Set(["symbols", "locations"]);
  const schemas = {
    config: RunConfigFields.shape as Record<
      string,
      { parse(v: unknown): unknown }
    >,
    schedule: ScheduleConfigSchema.shape as Record<
      string,
      { parse(v: unknown): unknown }
    >,
  };
  let compared = 0;
  for (const command of ETL.commands) {
    for (const flag of flagsOf(ETL, command)) {
      if (flag.into !== "config" && flag.into !== "schedule") continue;
      if (!flag.value) continue; // a switch: off unless given
      const field = schemas[flag.into][flag.key];
      assert.ok(field, `--${flag.name}: no setting ${flag.key}`);
      const actual = field.parse(undefined);
      const shown = shownDefault(flag);
      if (summarised.has(flag.name)) continue;
      if (actual === undefined) continue;
      await t.step(`${command.name} --${flag.name}`, () => {
        assert.ok(shown !== undefined, `--${flag.name} shows no default`);
        const text = shown.replace(/^"(.*)"$/, "$1");
        assert.deepEqual(flag.parse ? flag.parse(text) : text, actual);
      });
      compared++;
    }
  }
  assert.ok(compared >= 20, `only ${compared} defaults compared`);
});

Deno.test("wrap() breaks at spaces within the width", () => {
  assert.deepEqual(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
  assert.deepEqual(wrap("  one   two ", 80), ["one two"]);
  assert.deepEqual(wrap("averyveryverylongword x", 5), [
    "averyveryverylongword",
    "x",
  ]);
});
