/**
 * The README's "Asking the data" examples run: each `deno task query` line
 * of its first code block, parsed as the CLI parses it, against a snapshot
 * of a bars run and a symbols run.
 */
import assert from "node:assert/strict";
import { parseCommandLine } from "@pipeline/cli/parse.ts";
import { ETL } from "@pipeline/cli/etl.ts";
import { runQuery } from "@pipeline/query/run_query.ts";
import type { QueryFormat } from "@pipeline/query/format.ts";
import { openTestDatabase } from "../_db.ts";
import { runInto } from "../query/_catalog.ts";

const README = await Deno.readTextFile(
  new URL("../../README.md", import.meta.url),
);

/** The lines of the first ```sh block of the section `## title`. */
function sectionExamples(title: string): string[] {
  const start = README.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a section ${title}`);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(start));
  assert.ok(block, `section ${title} has a sh block`);
  return block[1]!.split("\n").filter((l) => l.trim() !== "");
}

/** Shell words of `line`: quotes removed, a `#` comment dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

Deno.test("README's Asking the data examples run and each returns rows", async (t) => {
  const dataDir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "sluice_readme_" }),
  );
  const db = await openTestDatabase("pglite");
  try {
    for (const dataset of [undefined, "symbols"]) {
      const summary = await runInto(db.client, dataDir, {
        ...(dataset ? { dataset } : {}),
      });
      assert.equal(summary.status, "succeeded", summary.error ?? "");
    }
    const lines = sectionExamples("Asking the data");
    assert.ok(lines.length >= 10, "a dozen examples");
    let prompts = 0;
    for (const line of lines) {
      let stdin: string | undefined;
      let command = line;
      const pipe = words(line).indexOf("|");
      if (pipe >= 0) {
        const [echo, ...rest] = line.split(" | ");
        stdin = words(echo!).slice(1).join(" ");
        command = rest.join(" | ");
      }
      const argv = words(command);
      assert.deepEqual(argv.slice(0, 3), ["deno", "task", "query"], line);
      const redirect = argv.indexOf(">");
      const args = redirect >= 0 ? argv.slice(3, redirect) : argv.slice(3);
      const out = args.indexOf("--out");
      if (out >= 0) args[out + 1] = `${dataDir}/${args[out + 1]}`;
      const parsed = parseCommandLine(["query", ...args], ETL);
      const sql = parsed.positionals[0];
      if (sql === undefined && stdin === undefined) {
        prompts++; // the interactive prompt: tests/query/repl_test.ts
        continue;
      }
      await t.step(line, async () => {
        let stdout = "";
        let stderr = "";
        const options = parsed.settings.options;
        const code = await runQuery({
          dataDir,
          sql,
          format: options.format as QueryFormat,
          out: options.out as string | undefined,
          timeZone: options.tz as string,
          write: (text) => stdout += text,
          warn: (text) => stderr += text,
          stdinIsTerminal: stdin === undefined,
          readStdin: () => Promise.resolve(stdin ?? ""),
        });
        assert.equal(code, 0, stderr);
        const text = options.out
          ? await Deno.readTextFile(options.out as string).catch(() => "")
          : stdout;
        if (options.format === "parquet") {
          assert.match(stderr, /wrote [1-9]\d* rows/);
        } else {
          assert.doesNotMatch(text, /\(0 rows\)|^\[\]\n$/, text);
          assert.ok(text.split("\n").length > 2, text);
        }
      });
    }
    assert.equal(prompts, 1, "one example opens the prompt");
  } finally {
    await db.dispose();
    await Deno.remove(dataDir, { recursive: true });
  }
});
