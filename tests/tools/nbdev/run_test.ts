/**
 * Parameterised runs through the real Deno kernel. Skipped (with how to
 * install) when Jupyter or the deno kernelspec is missing, unless CI is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runNotebook, runTimestamp } from "@tools/nbdev/run.ts";
import { main } from "@tools/nbdev/notebook.ts";
import { skipWithoutJupyter } from "../../_requires.ts";
import { cellSource, joinLines, readNotebook } from "@tools/nbdev/nbformat.ts";
import { NotebookError } from "@tools/nbdev/errors.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { code, markdown, notebook, tempProject } from "./_project.ts";

const ignore = await skipWithoutJupyter();

const report = notebook([
  markdown("intro", "# Report"),
  code("parameters", 'let symbol = "AAPL";\nlet days = 1;\nlet fail = false;', [
    "parameters",
  ]),
  code(
    "describe",
    "const describe = () => `${symbol} ${days * 2} ${typeof days}`;",
  ),
  code("show", "console.log(describe());"),
  code(
    "maybe-fail",
    "if (fail) throw new Error(`asked to fail for ${symbol}`);",
  ),
]);

Deno.test("runTimestamp() is a file-name-safe ISO instant", () => {
  assert.equal(
    runTimestamp(new Date("2026-11-22T10:00:05.123Z")),
    "2026-11-22T10-00-05.123Z",
  );
});

Deno.test({
  name:
    "runNotebook() injects typed parameters after the parameters cell and saves the run with its record",
  ignore,
  async fn() {
    const project = await tempProject();
    try {
      const path = await project.writeNotebook("07_report.ipynb", report);
      const before = await project.read(path);
      const out = join(project.root, "runs");
      const run = await runNotebook(path, {
        root: project.root,
        parameters: { symbol: "MSFT", days: 5 },
        outDir: out,
        clock: fixedClock("2026-11-22T10:00:00Z"),
      });
      assert.equal(run.ok, true);
      assert.equal(
        run.path,
        join(out, "07_report", "2026-11-22T10-00-00.000Z.ipynb"),
      );
      const saved = await readNotebook(run.path);
      assert.deepEqual(saved.cells.map((c) => c.id), [
        "intro",
        "parameters",
        "injected-parameters",
        "describe",
        "show",
        "maybe-fail",
      ]);
      assert.deepEqual(saved.cells[2]!.metadata["tags"], [
        "injected-parameters",
      ]);
      assert.match(
        cellSource(saved.cells[2]!),
        /let symbol = "MSFT";\nlet days = 5;$/,
      );
      const shown = saved.cells[4]!.outputs?.[0] as { text: string[] };
      assert.equal(joinLines(shown.text), "MSFT 10 number\n");
      assert.deepEqual(saved.metadata["sluice"], {
        run: {
          notebook: "notebooks/07_report.ipynb",
          parameters: { symbol: "MSFT", days: 5 },
          start: "2026-11-22T10:00:00.000Z",
          end: "2026-11-22T10:00:00.000Z",
          duration_s: 0,
          error: null,
        },
      });
      // the notebook itself is untouched
      assert.equal(await project.read(path), before);
    } finally {
      await project.dispose();
    }
  },
});

Deno.test({
  name:
    "notebook run saves the executed notebook when a cell fails and exits 1 naming the cell",
  ignore,
  async fn() {
    const project = await tempProject();
    const errors: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(" "));
    try {
      const path = await project.writeNotebook("07_report.ipynb", report);
      const out = join(project.root, "runs");
      const code = await main([
        "run",
        join(project.root, path),
        "-p",
        "fail=true",
        "--param",
        "symbol=IBM",
        "--out",
        out,
        "--root",
        project.root,
      ]);
      assert.equal(code, 1);
      assert.match(
        errors.join("\n"),
        /^notebook run: notebooks\/07_report\.ipynb#maybe-fail \(cell 5\): Error: asked to fail for IBM\n/,
      );
      const files = [...Deno.readDirSync(join(out, "07_report"))];
      assert.equal(files.length, 1);
      const saved = await readNotebook(join(out, "07_report", files[0]!.name));
      const record =
        (saved.metadata["sluice"] as { run: Record<string, unknown> }).run;
      assert.deepEqual(record["parameters"], { fail: true, symbol: "IBM" });
      assert.deepEqual(record["error"], {
        cell_id: "maybe-fail",
        cell_index: 5,
        ename: "Error",
        evalue: "asked to fail for IBM",
      });
      assert.equal(typeof record["duration_s"], "number");
      const failed = saved.cells.find((c) => c.id === "maybe-fail")!;
      assert.equal((failed.outputs?.[0] as { ename: string }).ename, "Error");
    } finally {
      console.error = error;
      await project.dispose();
    }
  },
});

Deno.test("runNotebook() rejects a parameter the notebook does not declare, before running", async () => {
  const project = await tempProject();
  try {
    const path = await project.writeNotebook("07_report.ipynb", report);
    await assert.rejects(
      runNotebook(path, {
        root: project.root,
        parameters: { window: 3 },
        outDir: join(project.root, "runs"),
      }),
      (err) =>
        err instanceof NotebookError &&
        err.message.startsWith(
          "notebooks/07_report.ipynb#parameters: unknown parameter(s) window",
        ),
    );
  } finally {
    await project.dispose();
  }
});

Deno.test({
  name:
    "notebook run --to html writes an HTML report beside the notebook, with the code and, with --no-code, without it",
  ignore: await skipWithoutJupyter({ docs: true }),
  async fn() {
    const project = await tempProject();
    const logs: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logs.push(args.join(" "));
    try {
      const path = await project.writeNotebook("07_report.ipynb", report);
      const out = join(project.root, "runs");
      const pages: Record<string, string> = {};
      for (const flags of [[], ["--no-code"]]) {
        const code = await main([
          "run",
          join(project.root, path),
          "-p",
          "symbol=MSFT",
          "--to",
          "html",
          ...flags,
          "--out",
          out,
          "--root",
          project.root,
        ]);
        assert.equal(code, 0);
        const html = /and (\S+\.html)$/.exec(logs.at(-1) ?? "")?.[1];
        assert.ok(html, logs.at(-1) ?? "no output");
        assert.equal(html.startsWith(join(out, "07_report")), true);
        pages[flags.join("") || "code"] = await Deno.readTextFile(html);
      }
      const withCode = pages["code"]!;
      const noCode = pages["--no-code"]!;
      for (const page of [withCode, noCode]) {
        assert.match(page, /<title>Report<\/title>/);
        assert.match(page, /MSFT 2 number/, "outputs are in both");
      }
      const inputs = (page: string) =>
        (page.match(/<div class="\s*highlight hl-/g) ?? []).length;
      const pres = (page: string) => (page.match(/<pre>/g) ?? []).length;
      assert.equal(inputs(withCode), 5, "the code of each code cell");
      assert.match(withCode, /describe/);
      assert.equal(inputs(noCode), 0, "no code");
      assert.equal(pres(noCode), 1, "only the printed output is a <pre>");
      assert.ok(pres(withCode) > pres(noCode));
      assert.doesNotMatch(noCode, /describe|typeof/);
    } finally {
      console.log = log;
      await project.dispose();
    }
  },
});

Deno.test("notebook run refuses --to other than html and --no-code without --to html", async () => {
  const errors: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    assert.equal(await main(["run", "x.ipynb", "--to", "pdf"]), 2);
    assert.equal(await main(["run", "x.ipynb", "--no-code"]), 2);
    assert.deepEqual(errors, [
      "notebook run: --to pdf is not a report format (html)",
      "notebook run: --no-code needs --to html",
    ]);
  } finally {
    console.error = error;
  }
});
