import assert from "node:assert/strict";
import { type EditorProbe, planEditor } from "@tools/nbdev/editor.ts";

const bare: EditorProbe = {
  installed: undefined,
  apt: [],
  pip: false,
  root: true,
};

Deno.test("planEditor() keeps an installed editor, else names the one command: JupyterLab first, then Debian's jupyter-notebook", async (t) => {
  const cases: [string, EditorProbe, unknown][] = [
    ["installed", { ...bare, installed: "/usr/bin/jupyter-lab" }, {
      kind: "installed",
      command: "/usr/bin/jupyter-lab",
    }],
    ["apt has both", { ...bare, apt: ["jupyterlab", "jupyter-notebook"] }, {
      kind: "install",
      editor: "JupyterLab",
      argv: ["apt-get", "install", "-y", "jupyterlab"],
    }],
    ["Debian bookworm: only jupyter-notebook, not root", {
      ...bare,
      apt: ["jupyter-notebook"],
      pip: true,
      root: false,
    }, {
      kind: "install",
      editor: "Jupyter Notebook",
      argv: ["sudo", "apt-get", "install", "-y", "jupyter-notebook"],
    }],
    ["pip only", { ...bare, pip: true }, {
      kind: "install",
      editor: "JupyterLab",
      argv: ["pip", "install", "jupyterlab"],
    }],
  ];
  for (const [name, probe, plan] of cases) {
    await t.step(name, () => assert.deepEqual(planEditor(probe), plan));
  }
  await t.step(
    "nothing offers one",
    () => assert.equal(planEditor(bare).kind, "none"),
  );
});
