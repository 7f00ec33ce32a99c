import assert from "node:assert/strict";
import { join } from "node:path";
import { exportNotebooks } from "@tools/nbdev/export_modules.ts";
import { formatProblem } from "@tools/nbdev/errors.ts";
import { formatTypeScript } from "@tools/nbdev/fmt.ts";
import { code, notebook, tempProject } from "./_project.ts";
import { GREET_MODULE, greetNotebook } from "./_fixtures.ts";

Deno.test("exportNotebooks() writes the header, cell markers in order, directives stripped, deno-fmt formatted", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    const report = await exportNotebooks({ root: project.root });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.modules.map((m) => [m.notebook, m.module, m.status]),
      [["notebooks/01_greet.ipynb", "pipeline/demo/greet.ts", "written"]],
    );
    const text = await project.read("pipeline/demo/greet.ts");
    assert.equal(text, GREET_MODULE);
    const formatted = await formatTypeScript(text, { cwd: project.root });
    assert.deepEqual(formatted, { ok: true, text });
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks() is byte-stable: a second export leaves the module unchanged", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    await exportNotebooks({ root: project.root });
    const path = join(project.root, "pipeline/demo/greet.ts");
    const before = await Deno.stat(path);
    const again = await exportNotebooks({ root: project.root });
    assert.equal(again.modules[0]?.status, "unchanged");
    assert.equal(
      (await Deno.stat(path)).mtime?.getTime(),
      before.mtime?.getTime(),
    );
    const check = await exportNotebooks({ root: project.root, check: true });
    assert.equal(check.ok, true);
    assert.equal(check.modules[0]?.status, "same");
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks({ check }) names the notebook and cell of a hand edit and prints a unified diff", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    await exportNotebooks({ root: project.root });
    await project.write(
      "pipeline/demo/greet.ts",
      GREET_MODULE.replace("`hello ${name}`", "`hi ${name}`"),
    );
    const report = await exportNotebooks({ root: project.root, check: true });
    assert.equal(report.ok, false);
    assert.equal(report.modules[0]?.status, "differs");
    assert.deepEqual(report.modules[0]?.cells, ["greet"]);
    assert.equal(
      report.diff,
      [
        "--- notebooks/01_greet.ipynb (exported)",
        "+++ pipeline/demo/greet.ts",
        "@@ -10,7 +10,7 @@ notebooks/01_greet.ipynb#greet",
        " // %% notebooks/01_greet.ipynb#greet",
        " /** Says hello. */",
        " export function greet(name: string): string {",
        "-  return `hello ${name}`;",
        "+  return `hi ${name}`;",
        " }",
        " ",
        " // %% notebooks/01_greet.ipynb#shout",
        "",
      ].join("\n"),
    );
    // check never writes
    assert.match(await project.read("pipeline/demo/greet.ts"), /hi \$\{name\}/);
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks({ check }) reports a missing module with every cell", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    const report = await exportNotebooks({ root: project.root, check: true });
    assert.equal(report.ok, false);
    assert.equal(report.modules[0]?.status, "missing");
    assert.deepEqual(report.modules[0]?.cells, [
      "module-doc",
      "greet",
      "shout",
    ]);
    assert.match(report.diff, /^\+\+\+ pipeline\/demo\/greet\.ts$/m);
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks() rejects what an exported cell must not hold, naming notebook and cell", async (t) => {
  const cases: { name: string; cell: string; expected: RegExp }[] = [
    {
      name: "a relative import",
      cell: '//| export\nimport { x } from "./x.ts";',
      expected: /relative import.*@pipeline\//,
    },
    {
      name: "a parent-relative dynamic import",
      cell: '//| export\nconst m = await import("../m.ts");',
      expected: /relative import/,
    },
    {
      name: "Deno.jupyter",
      cell: "//| export\nexport const show = () => Deno.jupyter.display(1);",
      expected: /uses Deno\.jupyter/,
    },
    {
      name: "an unknown directive",
      cell: "//| exprot\nexport const a = 1;",
      expected: /unknown directive "\/\/\| exprot"/,
    },
    {
      name: "code that does not parse",
      cell: "//| export\nexport const a = ;",
      expected: /does not parse/,
    },
  ];
  for (const c of cases) {
    await t.step(`${c.name} is an error`, async () => {
      const project = await tempProject();
      try {
        await project.writeNotebook(
          "02_bad.ipynb",
          notebook([
            code("module", "//| default_exp demo/bad"),
            code("ok", "//| export\nexport const ok = 1;"),
            code("bad-cell", c.cell),
          ]),
        );
        const report = await exportNotebooks({ root: project.root });
        assert.equal(report.ok, false);
        const messages = report.problems.map(formatProblem);
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0]!, /^notebooks\/02_bad\.ipynb#bad-cell: /);
        assert.match(messages[0]!, c.expected);
        await assert.rejects(
          Deno.stat(join(project.root, "pipeline/demo/bad.ts")),
        );
      } finally {
        await project.dispose();
      }
    });
  }
});

Deno.test("exportNotebooks() reports two notebooks naming one module, export cells without default_exp, and a cell without id", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook(
      "01_a.ipynb",
      notebook([
        code("m", "//| default_exp demo/same\n//| export\nexport const a = 1;"),
      ]),
    );
    await project.writeNotebook(
      "02_b.ipynb",
      notebook([
        code("m", "//| default_exp demo/same\n//| export\nexport const b = 1;"),
      ]),
    );
    await project.writeNotebook(
      "03_c.ipynb",
      notebook([code("x", "//| export\nexport const c = 1;")]),
    );
    const noId = notebook([
      code("m", "//| default_exp demo/d"),
      code("", "//| export\nexport const d = 1;"),
    ]);
    delete noId.cells[1]!.id;
    await project.writeNotebook("04_d.ipynb", noId);
    const report = await exportNotebooks({ root: project.root });
    const messages = report.problems.map(formatProblem).sort();
    assert.equal(report.ok, false);
    assert.deepEqual(messages.map((m) => m.replace(/:.*/s, "")), [
      "notebooks/01_a.ipynb",
      "notebooks/02_b.ipynb",
      "notebooks/03_c.ipynb",
      "notebooks/04_d.ipynb",
    ]);
    assert.match(
      messages[0]!,
      /exports pipeline\/demo\/same\.ts, as do notebooks\/02_b\.ipynb: one notebook per module/,
    );
    assert.match(messages[2]!, /no "\/\/\| default_exp <module>"/);
    assert.match(
      messages[3]!,
      /cell 1 has no id: run `deno task notebooks:clean`/,
    );
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks() reports a generated module its notebook no longer exports", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook("01_greet.ipynb", greetNotebook());
    await project.write(
      "pipeline/demo/old.ts",
      "// AUTO-GENERATED from notebooks/01_greet.ipynb by `deno task export`. Edit the notebook, not this file.\nexport const old = 1;\n",
    );
    await project.write(
      "pipeline/demo/handwritten.ts",
      "export const h = 1;\n",
    );
    const report = await exportNotebooks({ root: project.root, check: false });
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.map(formatProblem), [
      "notebooks/01_greet.ipynb: pipeline/demo/old.ts says it is generated from notebooks/01_greet.ipynb, which does not export it (any more): delete pipeline/demo/old.ts, or restore its //| default_exp",
    ]);
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks() writes a cell marked `//| export <module>` to that module, the others to default_exp", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook(
      "01_kit.ipynb",
      notebook([
        code("exp", "//| default_exp kit/mod"),
        code(
          "limits",
          "//| export kit/limits\n/** The limit. */\nexport const LIMIT = 1;",
        ),
        code(
          "face",
          '//| export\nexport { LIMIT } from "@pipeline/kit/limits.ts";',
        ),
        code(
          "twice",
          "//| export kit/limits\n/** Twice the limit. */\nexport const TWICE = 2;",
        ),
        code("demo", "console.log(1);"),
      ]),
    );
    const report = await exportNotebooks({ root: project.root });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.modules.map((m) => [m.module, m.status]),
      [["pipeline/kit/mod.ts", "written"], [
        "pipeline/kit/limits.ts",
        "written",
      ]],
    );
    const limits = await project.read("pipeline/kit/limits.ts");
    assert.match(limits, /^\/\/ AUTO-GENERATED from notebooks\/01_kit\.ipynb/);
    assert.ok(
      limits.indexOf("01_kit.ipynb#limits") <
        limits.indexOf("01_kit.ipynb#twice"),
    );
    assert.doesNotMatch(limits, /#face/);
    assert.match(await project.read("pipeline/kit/mod.ts"), /#face\n/);
    const check = await exportNotebooks({ root: project.root, check: true });
    assert.equal(check.ok, true);
  } finally {
    await project.dispose();
  }
});

Deno.test("exportNotebooks() refuses `//| export` naming no module", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook(
      "01_bad.ipynb",
      notebook([
        code("exp", "//| default_exp kit/mod"),
        code("bad", "//| export ../escape\nexport const A = 1;"),
      ]),
    );
    const report = await exportNotebooks({ root: project.root });
    assert.equal(report.ok, false);
    assert.match(
      report.problems.map(formatProblem).join("\n"),
      /"\/\/\| export \.\.\/escape" names no module/,
    );
  } finally {
    await project.dispose();
  }
});
