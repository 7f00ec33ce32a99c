/**
 * Rendered docs: a fixture notebook with a Plot chart and a DataFrame is
 * executed, rendered by nbconvert and loaded in headless Chromium. Skipped
 * (with how to install) when Jupyter, nbconvert, the deno kernelspec or
 * Chromium is missing, unless CI is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  buildDocs,
  countOutputs,
  type DocsReport,
} from "@tools/nbdev/build_docs.ts";
import { inspectPage } from "@tools/nbdev/charts.ts";
import { dumpDom } from "@tools/nbdev/chromium.ts";
import { skipWithoutJupyter } from "../../_requires.ts";
import { readNotebook } from "@tools/nbdev/nbformat.ts";
import { code, markdown, notebook, tempProject } from "./_project.ts";

const ignore = await skipWithoutJupyter({
  docs: true,
  chromium: true,
});

const chartNotebook = notebook([
  markdown(
    "intro",
    "# Closing prices\nOne chart, one table, from [the fixture](x.md).\n\nMore prose.",
  ),
  code(
    "setup",
    'import * as Plot from "@observablehq/plot";\nimport { parseHTML } from "linkedom";\nimport pl from "nodejs-polars";\nconst { document } = parseHTML("<a></a>");',
  ),
  code(
    "chart",
    'Plot.plot({\n  document,\n  title: "Two dots",\n  color: { legend: true },\n  marks: [Plot.dot([{ x: 1, y: 2, s: "a" }, { x: 2, y: 3, s: "b" }], { x: "x", y: "y", fill: "s" })],\n})',
  ),
  code("table", 'pl.DataFrame({ symbol: ["AAPL"], close: [187.5] })'),
  code("skipped", '//| eval: false\nthrow new Error("not in the docs run");'),
]);

const brokenNotebook = notebook([
  code("oops", 'throw new Error("broken on purpose");'),
]);

let built:
  | Promise<{ out: string; report: DocsReport; dispose: () => Promise<void> }>
  | undefined;

/** Builds the docs of both fixtures once (one execution batch, one nbconvert). */
function buildFixtures() {
  built ??= (async () => {
    const project = await tempProject();
    try {
      await project.writeNotebook("05_chart.ipynb", chartNotebook);
      await project.writeNotebook("06_broken.ipynb", brokenNotebook);
      // the pages go under the project too, so one dispose removes both
      const out = join(project.root, "docs");
      const report = await buildDocs({ root: project.root, outDir: out });
      return { out, report, dispose: () => project.dispose() };
    } catch (err) {
      await project.dispose();
      throw err;
    }
  })();
  return built;
}

Deno.test({
  name:
    "buildDocs() renders each notebook with its charts (SVG with marks, in Chromium) and tables, and an index",
  ignore,
  async fn() {
    const { out, report } = await buildFixtures();
    assert.deepEqual(
      report.pages.map((
        p,
      ) => [p.notebook, p.title, p.page, p.charts, p.tables]),
      [
        ["notebooks/05_chart.ipynb", "Closing prices", "05_chart.html", 1, 1],
        ["notebooks/06_broken.ipynb", "06_broken", "06_broken.html", 0, 0],
      ],
    );
    assert.equal(report.pages[0]!.ok, true, report.pages[0]!.error ?? "");
    const executed = await readNotebook(join(out, "_executed/05_chart.ipynb"));
    assert.deepEqual(countOutputs(executed), { charts: 1, tables: 1 });

    const dom = await dumpDom(pathToFileURL(join(out, "05_chart.html")).href);
    const page = inspectPage(dom);
    assert.equal(page.charts.length, 1, "every chart output is on the page");
    assert.equal(
      page.charts[0]!.hasMarks,
      true,
      JSON.stringify(page.charts[0]),
    );
    const dots = page.charts[0]!.marks.find((m) => m.label === "dot");
    assert.deepEqual(dots, { label: "dot", shapes: 2, data: true });
    assert.equal(page.charts[0]!.title, "Two dots", "the chart's title");
    assert.equal(page.charts[0]!.legend, true, "and its legend");
    assert.equal(page.tables, 1);
    assert.match(dom, /<td>AAPL<\/td>/);
    assert.doesNotMatch(dom, /\/\/\| eval/, "directive lines are hidden");

    const index = await Deno.readTextFile(join(out, "index.html"));
    assert.match(index, /<a href="05_chart\.html">Closing prices<\/a>/);
    assert.equal(
      report.pages[0]!.summary,
      "One chart, one table, from the fixture.",
    );
    assert.match(
      index,
      /<p class="summary">One chart, one table, from the fixture\.<\/p>/,
    );
    const cards = index.split("<li>").slice(1);
    assert.equal(cards.length, 2);
    const shown = inspectPage(cards[0]!);
    assert.equal(shown.charts.length, 1, "the first chart, inline");
    assert.equal(shown.charts[0]!.hasMarks, true);
    assert.doesNotMatch(cards[1]!, /<svg/, "no chart, none shown");
  },
});

Deno.test({
  name:
    "buildDocs() still renders a failing notebook, marks it in the index and reports the cell",
  ignore,
  async fn() {
    const { out, report, dispose } = await buildFixtures();
    try {
      assert.equal(report.ok, false);
      assert.match(
        report.pages[1]!.error!,
        /^notebooks\/06_broken\.ipynb#oops \(cell 0\): Error: broken on purpose/,
      );
      assert.match(
        await Deno.readTextFile(join(out, "06_broken.html")),
        /broken on purpose/,
      );
      assert.match(
        await Deno.readTextFile(join(out, "index.html")),
        /class="failed">failed/,
      );
    } finally {
      await dispose();
    }
  },
});
