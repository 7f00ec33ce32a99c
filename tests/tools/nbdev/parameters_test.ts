import assert from "node:assert/strict";
import {
  declaredParameters,
  injectParameters,
  parameterValue,
  parseParameters,
} from "@tools/nbdev/parameters.ts";
import { cellSource } from "@tools/nbdev/nbformat.ts";
import { NotebookError } from "@tools/nbdev/errors.ts";
import { code, markdown, notebook } from "./_project.ts";

Deno.test("parameterValue() keeps numbers and booleans typed, anything else a string", async (t) => {
  const cases: [string, string | number | boolean][] = [
    ["5", 5],
    ["-2.5", -2.5],
    ["1e3", 1000],
    ["true", true],
    ["false", false],
    ["AAPL", "AAPL"],
    ["True", "True"],
    ["", ""],
    ["5d", "5d"],
    ["0x10", "0x10"],
    ["2026-11-20", "2026-11-20"],
  ];
  for (const [text, value] of cases) {
    await t.step(
      JSON.stringify(text),
      () => assert.equal(parameterValue(text), value),
    );
  }
});

Deno.test("parseParameters() reads name=value pairs and rejects others", () => {
  assert.deepEqual(parseParameters(["symbol=AAPL", "days=5", "q=a=b"]), {
    symbol: "AAPL",
    days: 5,
    q: "a=b",
  });
  assert.throws(() => parseParameters(["days"]), /"days" is not name=value/);
  assert.throws(() => parseParameters(["1x=2"]), /"1x=2" is not name=value/);
});

Deno.test("declaredParameters() reads one let/const/var declaration per line", () => {
  assert.deepEqual(
    [...declaredParameters(
      'let symbol = "AAPL";\nconst days: number = 5;\n// note\nvar live = false;',
    )],
    [["symbol", "let"], ["days", "const"], ["live", "var"]],
  );
});

const paramsNotebook = () =>
  notebook([
    markdown("intro", "# Run"),
    code("parameters", 'let symbol = "AAPL";\nconst days = 3;', ["parameters"]),
    code("use", "console.log(symbol, days);"),
  ]);

Deno.test("injectParameters() adds an injected-parameters cell after the parameters cell, same keywords", () => {
  const nb = injectParameters(
    paramsNotebook(),
    { symbol: "MSFT", days: 5 },
    "notebooks/r.ipynb",
  );
  assert.deepEqual(nb.cells.map((c) => c.id), [
    "intro",
    "parameters",
    "injected-parameters",
    "use",
  ]);
  const injected = nb.cells[2]!;
  assert.deepEqual(injected.metadata, { tags: ["injected-parameters"] });
  assert.equal(
    cellSource(injected),
    '// Parameters injected by `deno task notebook run`\nlet symbol = "MSFT";\nconst days = 5;',
  );
  const again = injectParameters(nb, { days: 7 }, "notebooks/r.ipynb");
  assert.equal(
    again.cells.filter((c) => c.id === "injected-parameters").length,
    1,
  );
  assert.match(cellSource(again.cells[2]!), /const days = 7;/);
});

Deno.test("injectParameters() names the notebook when it has no parameters cell or the name is unknown", () => {
  assert.throws(
    () =>
      injectParameters(
        notebook([code("a", "let x = 1;")]),
        { x: 2 },
        "notebooks/r.ipynb",
      ),
    (err) =>
      err instanceof NotebookError &&
      /^notebooks\/r\.ipynb: has no code cell tagged "parameters"/.test(
        err.message,
      ),
  );
  assert.throws(
    () => injectParameters(paramsNotebook(), { sym: "X" }, "notebooks/r.ipynb"),
    (err) =>
      err instanceof NotebookError &&
      err.message ===
        "notebooks/r.ipynb#parameters: unknown parameter(s) sym; the parameters cell declares symbol, days",
  );
});
