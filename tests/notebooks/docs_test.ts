/**
 * The rendered docs of the project's own notebooks: `buildDocs()` executes
 * every notebook and renders it; each page is opened in headless Chromium
 * and must show every chart output as an SVG with data marks (not an empty
 * frame), and every notebook must end with at least one chart. Skipped with
 * an install hint when Jupyter, nbconvert or Chromium is missing, unless CI
 * is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildDocs } from "@tools/nbdev/build_docs.ts";
import { inspectPage } from "@tools/nbdev/charts.ts";
import { dumpDom } from "@tools/nbdev/chromium.ts";
import { ignoreWithoutJupyter } from "@tools/nbdev/jupyter.ts";

const ROOT = join(import.meta.dirname!, "..", "..");
const ignore = await ignoreWithoutJupyter("tests/notebooks/docs_test.ts", {
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
      for (const page of report.pages) {
        await t.step(page.page, async () => {
          assert.ok(page.charts >= 1, `${page.notebook} ends with a chart`);
          assert.ok(
            index.includes(`href="${page.page}"`),
            "linked from the index",
          );
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
          }
        });
      }
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
