import assert from "node:assert/strict";
import { join } from "node:path";
import { updateNotebooks } from "@tools/nbdev/update_notebooks.ts";
import { exportNotebooks } from "@tools/nbdev/export_modules.ts";
import { formatProblem } from "@tools/nbdev/errors.ts";
import { cellSource, readNotebook } from "@tools/nbdev/nbformat.ts";
import { GREET_MODULE, greetNotebook } from "./_fixtures.ts";
import { code, notebook, tempProject } from "./_project.ts";

async function cells(root: string, path: string) {
  const nb = await readNotebook(join(root, path));
  return new Map(nb.cells.map((c) => [c.id, cellSource(c)]));
}

Deno.test("updateNotebooks() carries a module edit back into its cell, keeping the directives, and export --check then passes", async () => {
  const project = await tempProject();
  try {
    const path = await project.writeNotebook("01_greet.ipynb", greetNotebook());
    await exportNotebooks({ root: project.root });
    await project.write(
      "pipeline/demo/greet.ts",
      GREET_MODULE.replace(
        "  return `hello ${name}`;",
        "  const greeting = 'hi'\n  return `${greeting} ${name}`;",
      ),
    );
    const report = await updateNotebooks({ root: project.root });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.deepEqual(report.updated, [{ notebook: path, cells: ["greet"] }]);
    const after = await cells(project.root, path);
    assert.equal(
      after.get("greet"),
      '//| export\n/** Says hello. */\nexport function greet(name: string): string {\n  const greeting = "hi";\n  return `${greeting} ${name}`;\n}',
    );
    // untouched cells keep their source as written (even unformatted)
    assert.equal(
      after.get("shout"),
      "//| export\nexport const shout = (name:string)=>greet(name).toUpperCase()",
    );
    assert.equal(after.get("module"), "//| default_exp demo/greet");
    const check = await exportNotebooks({ root: project.root, check: true });
    assert.equal(check.ok, true, check.diff);
  } finally {
    await project.dispose();
  }
});

Deno.test("updateNotebooks() leaves notebooks alone when modules match", async () => {
  const project = await tempProject();
  try {
    const path = await project.writeNotebook("01_greet.ipynb", greetNotebook());
    await exportNotebooks({ root: project.root });
    const before = await project.read(path);
    const report = await updateNotebooks({ root: project.root });
    assert.equal(report.ok, true);
    assert.deepEqual(report.updated, []);
    assert.equal(await project.read(path), before);
  } finally {
    await project.dispose();
  }
});

Deno.test("updateNotebooks() refuses module edits it cannot place, naming notebook and cell", async (t) => {
  const cases: {
    name: string;
    edit: (text: string) => string;
    expected: RegExp;
  }[] = [
    {
      name: "code before the first marker",
      edit: (text) => text.replace("\n\n// %%", "\nconst stray = 1;\n\n// %%"),
      expected:
        /^notebooks\/01_greet\.ipynb: pipeline\/demo\/greet\.ts: has code before its first cell marker/,
    },
    {
      name: "a marker naming a cell the notebook does not export",
      edit: (text) => text.replace("#shout", "#nope"),
      expected:
        /^notebooks\/01_greet\.ipynb#nope: .*marks cell nope, which is not an exported cell/,
    },
    {
      name: "a deleted section",
      edit: (text) =>
        text.slice(0, text.indexOf("\n// %% notebooks/01_greet.ipynb#shout")),
      expected:
        /^notebooks\/01_greet\.ipynb#shout: .*has no section for exported cell shout/,
    },
    {
      name: "reordered sections",
      edit: (text) => {
        const at = text.indexOf("// %% notebooks/01_greet.ipynb#greet");
        const shout = text.indexOf("// %% notebooks/01_greet.ipynb#shout");
        return text.slice(0, at) + text.slice(shout) + "\n" +
          text.slice(at, shout);
      },
      expected: /has its cells in another order \(module-doc, shout, greet\)/,
    },
    {
      name: "a syntax error",
      edit: (text) => text.replace("toUpperCase()", "toUpperCase("),
      expected: /^notebooks\/01_greet\.ipynb#shout: .*does not parse/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const project = await tempProject();
      try {
        const path = await project.writeNotebook(
          "01_greet.ipynb",
          greetNotebook(),
        );
        await exportNotebooks({ root: project.root });
        const before = await project.read(path);
        await project.write("pipeline/demo/greet.ts", c.edit(GREET_MODULE));
        const report = await updateNotebooks({ root: project.root });
        assert.equal(report.ok, false);
        const messages = report.problems.map(formatProblem);
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0]!, c.expected);
        assert.equal(await project.read(path), before);
      } finally {
        await project.dispose();
      }
    });
  }
});

Deno.test("updateNotebooks() skips a module not exported yet and writes it", async () => {
  const project = await tempProject();
  try {
    await project.writeNotebook(
      "01_a.ipynb",
      notebook([
        code("m", "//| default_exp demo/a\n//| export\nexport const a = 1;"),
      ]),
    );
    const report = await updateNotebooks({ root: project.root });
    assert.equal(report.ok, true);
    assert.match(
      await project.read("pipeline/demo/a.ts"),
      /export const a = 1;/,
    );
  } finally {
    await project.dispose();
  }
});
