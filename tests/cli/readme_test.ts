/**
 * The README's run-flag table names exactly the declared run flags.
 */
import assert from "node:assert/strict";
import { RUN_CONFIG_FLAGS } from "@pipeline/cli/run_flags.ts";
import { COMMON_FLAGS } from "@pipeline/cli/common_flags.ts";
import { runCommand } from "@pipeline/cli/commands/run.ts";
import { flagSynopsis } from "@pipeline/cli/flag.ts";
import { COMMANDS } from "@pipeline/cli/commands/mod.ts";

const README = await Deno.readTextFile(
  new URL("../../README.md", import.meta.url),
);

/** The first cells of the table whose first header cell is `header`. */
function firstColumn(text: string, header: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) =>
    new RegExp(`^\\| ${header} +\\|`).test(l)
  );
  assert.ok(start >= 0, `README has a table headed ${header}`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|")[1]!.trim().replace(/^`|`$/g, ""));
  }
  return rows;
}

Deno.test("README's flag table lists exactly the run command's flags, as help spells them", () => {
  const declared = [
    ...runCommand.flags.flatMap((g) => g.flags),
    ...COMMON_FLAGS.flags,
  ].map(flagSynopsis);
  assert.deepEqual(firstColumn(README, "flag"), declared);
  assert.ok(RUN_CONFIG_FLAGS.flags.length > 15);
});

Deno.test("README's command table lists exactly the registered commands", () => {
  assert.deepEqual(
    firstColumn(README, "command"),
    COMMANDS.map((c) => c.name),
  );
});
