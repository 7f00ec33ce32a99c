import assert from "node:assert/strict";
import { inspectPage, isDataMark } from "@tools/nbdev/charts.ts";

const plot = (marks: string) =>
  `<svg class="plot-1" viewBox="0 0 640 400"><g aria-label="x-axis tick"><path d="M0,0"></path></g>${marks}</svg>`;

Deno.test("inspectPage() finds charts with data marks, empty frames and tables", () => {
  const html = `<html><body>
    <div>${
    plot('<g aria-label="dot"><circle cx="1" cy="2" r="3"></circle></g>')
  }</div>
    <div>${plot("")}</div>
    <div>${plot('<g aria-label="line"></g>')}</div>
    <div><svg height="400" width="640"><style>x</style>2.0y1.0x</svg></div>
    <table><tr><td>1</td></tr></table>
  </body></html>`;
  const page = inspectPage(html);
  assert.equal(page.tables, 1);
  assert.deepEqual(page.charts.map((c) => c.hasMarks), [
    true,
    false,
    false,
    false,
  ]);
  assert.deepEqual(page.charts[0]!.marks, [
    { label: "x-axis tick", shapes: 1, data: false },
    { label: "dot", shapes: 1, data: true },
  ]);
});

Deno.test("inspectPage() reads a Plot figure's title and legend and skips legend swatches", () => {
  const html = `<figure class="plot-1-figure"><h2>Closes</h2>
    <div class="plot-1-swatches plot-1-swatches-wrap"><span class="plot-1-swatch"><svg fill="red"><rect></rect></svg>a</span></div>
    ${plot('<g aria-label="line"><path d="M0,0L1,1"></path></g>')}</figure>
    <figure class="plot-1-figure"><svg class="plot-1-ramp"><rect></rect></svg>
    ${plot('<g aria-label="dot"><circle></circle></g>')}</figure>
    ${plot('<g aria-label="bar"><rect></rect></g>')}`;
  const page = inspectPage(html);
  assert.deepEqual(
    page.charts.map((c) => [c.title, c.legend, c.hasMarks]),
    [["Closes", true, true], [undefined, true, true], [
      undefined,
      false,
      true,
    ]],
  );
});

Deno.test("isDataMark() tells data marks from axes, grids and the frame", async (t) => {
  const cases: [string, boolean][] = [
    ["dot", true],
    ["line", true],
    ["bar", true],
    ["tick", true],
    ["x-axis tick label", false],
    ["y-grid", false],
    ["frame", false],
  ];
  for (const [label, data] of cases) {
    await t.step(label, () => assert.equal(isDataMark(label), data));
  }
});
