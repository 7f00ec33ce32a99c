import assert from "node:assert/strict";
import {
  assignCellIds,
  baseCellId,
  CELL_ID_PATTERN,
  slugify,
} from "@tools/nbdev/ids.ts";
import { code, markdown } from "./_project.ts";

Deno.test("slugify() makes kebab-case ids", async (t) => {
  const cases: [string, string][] = [
    ["validateBars", "validate-bars"],
    ["Load bars into Postgres!", "load-bars-into-postgres"],
    ["  --  ", ""],
    ["x".repeat(80), "x".repeat(40)],
  ];
  for (const [text, slug] of cases) {
    await t.step(text.slice(0, 30), () => assert.equal(slugify(text), slug));
  }
});

Deno.test("baseCellId() names a cell after what it declares or says", async (t) => {
  const cases: [string, ReturnType<typeof code>, string][] = [
    [
      "exported function",
      code("", "//| export\nexport async function loadBars() {}"),
      "load-bars",
    ],
    ["const", code("", "const frame = pl.DataFrame({});"), "frame"],
    [
      "default_exp only",
      code("", "//| default_exp transform/bars"),
      "module-transform-bars",
    ],
    [
      "parameters tag",
      code("", 'let symbol = "AAPL";', ["parameters"]),
      "parameters",
    ],
    [
      "expression",
      code("", "// show it\nPlot.plot({ marks: [] })"),
      "plot-plot-marks",
    ],
    ["empty code", code("", ""), "cell"],
    [
      "markdown heading",
      markdown("", "Intro\n## Resampling bars"),
      "resampling-bars",
    ],
    [
      "markdown text",
      markdown("", "Some words here and more"),
      "some-words-here-and-more",
    ],
  ];
  for (const [name, cell, id] of cases) {
    await t.step(name, () => {
      assert.equal(baseCellId(cell), id);
      assert.match(id, CELL_ID_PATTERN);
    });
  }
});

Deno.test("assignCellIds() keeps valid ids and makes new ones unique", () => {
  const cells = [
    code("frame", "const a = 1;"),
    code("", "const frame = 2;"),
    code("bad id!", "const frame = 3;"),
    code("frame", "const x = 4;"),
  ];
  delete cells[1]!.id;
  assert.deepEqual(assignCellIds(cells), [1, 2, 3]);
  assert.deepEqual(cells.map((c) => c.id), [
    "frame",
    "frame-2",
    "frame-3",
    "x",
  ]);
});
