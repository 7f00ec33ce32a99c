/**
 * The rendered docs of the project's own notebooks: `buildDocs()` executes
 * every notebook and renders it; each page is opened in headless Chromium
 * and must show every chart output as an SVG with data marks (not an empty
 * frame) and a title, and every notebook must end with at least one chart;
 * the index shows each notebook's title, summary and first chart. Skipped with
 * an install hint when Jupyter, nbconvert or Chromium is missing, unless CI
 * is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildDocs } from "@tools/nbdev/build_docs.ts";
import { inspectPage } from "@tools/nbdev/charts.ts";
import { dumpDom } from "@tools/nbdev/chromium.ts";
import { skipWithoutJupyter } from "../_requires.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const ignore = await skipWithoutJupyter({
  docs: true,
  chromium: true,
});

Deno.test({
  name:
    "deno task docs renders every notebook with its charts, each an SVG with marks in Chromium",
  ignore,
  async fn(t) {
    const outDir = await Deno.makeTempDir({ prefix: "sluice-docs-" });
    try {
      const report = await buildDocs({ root: ROOT, outDir });
      const failed = report.pages.filter((p) => !p.ok);
      assert.deepEqual(
        failed.map((p) => p.error?.split("\n")[0]),
        [],
        "every notebook executes and renders",
      );
      assert.ok(report.pages.length >= 7, "one page per notebook");
      const index = await Deno.readTextFile(join(outDir, "index.html"));
      const cards = index.split("<li>").slice(1);
      for (const page of report.pages) {
        await t.step(page.page, async () => {
          assert.ok(page.charts >= 1, `${page.notebook} ends with a chart`);
          const card = cards.find((c) => c.includes(`href="${page.page}"`));
          assert.ok(card, "linked from the index");
          assert.ok(card.includes(page.title), "with its title");
          assert.ok(page.summary.length > 20, "with a summary");
          assert.ok(card.includes("summary"), "shown");
          const cardCharts = inspectPage(card).charts;
          assert.equal(cardCharts.length, 1, "and its first chart");
          assert.ok(cardCharts[0]!.hasMarks, "drawn");
          const dom = await dumpDom(
            pathToFileURL(join(outDir, page.page)).href,
          );
          const seen = inspectPage(dom);
          assert.equal(
            seen.charts.length,
            page.charts,
            "every chart output is on the page",
          );
          for (const chart of seen.charts) {
            assert.ok(chart.hasMarks, JSON.stringify(chart));
            assert.ok(
              chart.title,
              `a chart without a title: ${
                chart.marks.map((m) => m.label).join(", ")
              }`,
            );
          }
        });
      }
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
