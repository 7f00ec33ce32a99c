import assert from "node:assert/strict";
import { join } from "node:path";
import { main as exportMain } from "@tools/nbdev/export.ts";
import { main as cleanMain } from "@tools/nbdev/clean.ts";
import { main as notebookMain } from "@tools/nbdev/notebook.ts";
import { main as docsMain } from "@tools/nbdev/docs.ts";
import { main as setupMain } from "@tools/nbdev/setup.ts";
import { GREET_MODULE, greetNotebook } from "./_fixtures.ts";
import { REPO_ROOT, tempProject } from "./_project.ts";

/** Runs `fn` with console.log/error captured. */
async function captured(fn: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  try {
    const code = await fn();
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("every nbdev command documents its flags with --help", async (t) => {
  const cases: [string, (args: string[]) => Promise<number>, string[]][] = [
    ["export", exportMain, ["--check", "--update", "--root"]],
    ["notebooks:clean", cleanMain, ["--check", "--root"]],
    ["notebook", notebookMain, [
      "run",
      "test",
      "--param",
      "--out",
      "--timeout",
      "--concurrency",
      "--root",
    ]],
    ["docs", docsMain, ["--out", "--timeout", "--concurrency", "--root"]],
    ["jupyter:setup", setupMain, [
      "--check",
      "apt-get install",
      "pip install jupyterlab nbclient nbconvert",
    ]],
  ];
  for (const [name, main, flags] of cases) {
    await t.step(name, async () => {
      const { code, out } = await captured(() => main(["--help"]));
      assert.equal(code, 0);
      assert.match(out, /^Usage: |\nUsage:/);
      for (const flag of flags) {
        assert.ok(out.includes(flag), `${name} --help mentions ${flag}`);
      }
    });
  }
});

Deno.test("export.ts runs as a script: --check exits 1 with the diff, export fixes it, --check exits 0", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(REPO_ROOT, "tools/nbdev/export.ts"),
          ...args,
        ],
        cwd: project.root,
        env: { NO_COLOR: "1" },
      }).output();
      const text = new TextDecoder().decode(out.stdout) +
        new TextDecoder().decode(out.stderr);
      return { code: out.code, text };
    };
    const missing = await run("--check");
    assert.equal(missing.code, 1);
    assert.match(
      missing.text,
      /export --check: pipeline\/demo\/greet\.ts is missing; notebooks\/01_greet\.ipynb exports it/,
    );
    assert.equal((await run()).code, 0);
    assert.equal(await project.read("pipeline/demo/greet.ts"), GREET_MODULE);
    const ok = await run("--check");
    assert.equal(ok.code, 0, ok.text);
    assert.match(ok.text, /1 module\(s\) match their notebooks/);
  } finally {
    await project.dispose();
  }
});

Deno.test("export --check and --update cannot be combined", async () => {
  const { code, err } = await captured(() =>
    exportMain(["--check", "--update"])
  );
  assert.equal(code, 2);
  assert.match(err, /cannot be combined/);
});
