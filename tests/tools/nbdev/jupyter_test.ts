import assert from "node:assert/strict";
import {
  detectJupyter,
  type ExecutionNeeds,
  type JupyterEnv,
  missingForExecution,
} from "@tools/nbdev/jupyter.ts";

const ready: JupyterEnv = {
  python: "/usr/bin/python3",
  nbclient: "0.7.2",
  nbconvert: "6.5.3",
  kernels: ["deno", "python3"],
  chromium: "/usr/bin/chromium",
  jupyter: "/usr/bin/jupyter",
};

Deno.test("missingForExecution() names what stops execution, docs and the Chromium check", async (t) => {
  const cases: [
    string,
    JupyterEnv,
    ExecutionNeeds,
    string[],
  ][] = [
    ["all there", ready, { docs: true, chromium: true }, []],
    ["no nbclient", { ...ready, nbclient: undefined }, {}, [
      "a Python with Jupyter's nbclient",
    ]],
    ["no deno kernel", { ...ready, kernels: ["python3"] }, {}, [
      'the Deno kernelspec ("deno jupyter --install")',
    ]],
    [
      "no nbconvert, docs not asked",
      { ...ready, nbconvert: undefined },
      {},
      [],
    ],
    ["no nbconvert nor chromium", {
      ...ready,
      nbconvert: undefined,
      chromium: undefined,
    }, {
      docs: true,
      chromium: true,
    }, ["Jupyter's nbconvert", "Chromium"]],
    ["no jupyter command, asked", { ...ready, jupyter: undefined }, {
      command: true,
    }, ["the jupyter command on PATH"]],
    ["no jupyter command, not asked", { ...ready, jupyter: undefined }, {}, []],
  ];
  for (const [name, env, options, missing] of cases) {
    await t.step(
      name,
      () => assert.deepEqual(missingForExecution(env, options), missing),
    );
  }
});

Deno.test("detectJupyter() prefers a Python that has nbclient", async () => {
  const env = await detectJupyter();
  if (env.nbclient) {
    assert.ok(env.python, "a Python was found");
    const out = await new Deno.Command(env.python!, {
      args: ["-c", "import nbclient"],
      stderr: "null",
    }).output();
    assert.equal(out.success, true, `${env.python} cannot import nbclient`);
  } else {
    assert.deepEqual(env.kernels, []);
  }
});
