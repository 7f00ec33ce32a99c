/**
 * The dashboard in headless Chromium (playwright-core): every page loads
 * without console errors, each chart is an SVG with data marks, the symbol
 * picker changes the chart, and a run committed while a page is open
 * appears on it without a reload. A screenshot of each page is saved under
 * data/screenshots/ (CI keeps them).
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { fixedClock } from "@pipeline/clock.ts";
import { startDashboard } from "@pipeline/serve/start.ts";
import { AS_OF, serveFixture } from "./_fixture.ts";
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  skipWithoutChromium,
} from "./_chromium.ts";

const SCREENSHOTS = new URL("../../data/screenshots/", import.meta.url);

/** In the page: the charts' titles and how many data shapes each draws. */
function chartsInPage(): { title: string; shapes: number }[] {
  return [...document.querySelectorAll("figure")].map((figure) => {
    const svg = [...figure.querySelectorAll("svg")].find((s) =>
      s.querySelector("g[aria-label]")
    );
    const marks = svg
      ? [...svg.querySelectorAll("g[aria-label]")].filter((g) =>
        !/axis|grid/.test(g.getAttribute("aria-label") ?? "")
      )
      : [];
    return {
      title: figure.querySelector("h2")?.textContent ?? "",
      shapes: marks.reduce(
        (n, g) => n + g.querySelectorAll("path, rect, line, circle").length,
        0,
      ),
    };
  });
}

Deno.test({
  name: "the dashboard in Chromium: pages, charts, pickers, live updates",
  ignore: await skipWithoutChromium(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const fixture = await serveFixture();
    const server = await startDashboard(
      { dataDir: fixture.dataDir, host: "127.0.0.1", port: 0 },
      { clock: fixedClock(AS_OF), warn: () => {}, intervalMs: 250 },
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
    });
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    try {
      const context = await browser.newContext({
        viewport: { width: 1100, height: 900 },
      });
      const errors: string[] = [];
      const open = async (path: string) => {
        const page = await context.newPage();
        page.on("console", (m) => {
          if (m.type() === "error") errors.push(`${path}: ${m.text()}`);
        });
        page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
        const response = await page.goto(`${server.url}${path}`);
        assert.equal(response?.status(), 200, path);
        await page.waitForLoadState("load");
        return page;
      };

      await t.step(
        "every page loads without errors; charts draw data",
        async () => {
          const runs = await open("/runs");
          const runHref = await runs.getAttribute("table a", "href");
          assert.ok(runHref, "the runs page links to a run");
          const pages: [string, string, number][] = [
            ["prices", "/prices", 2],
            ["prices-compare", "/prices?symbol=AAPL&symbol=MSFT", 3],
            ["runs", "/runs", 1],
            ["run", runHref, 1],
            ["quality", "/quality", 2],
            ["warehouse", "/warehouse", 0],
          ];
          for (const [name, path, charts] of pages) {
            const page = await open(path);
            const found = await page.evaluate(chartsInPage);
            assert.equal(
              found.length,
              charts,
              `${path}: ${JSON.stringify(found)}`,
            );
            for (const chart of found) {
              assert.ok(chart.title !== "", `${path}: a chart without a title`);
              assert.ok(
                chart.shapes > 0,
                `${path}: ${chart.title} draws nothing`,
              );
            }
            await page.screenshot({
              path: new URL(`${name}.png`, SCREENSHOTS).pathname,
              fullPage: true,
            });
            await page.close();
          }
          await runs.close();
          assert.deepEqual(errors, []);
        },
      );

      await t.step("changing the symbol picker changes the chart", async () => {
        const page = await open("/prices");
        const before = await page.evaluate(chartsInPage);
        assert.match(before[0]!.title, /^AAPL: /);
        await Promise.all([
          page.waitForURL(/symbol=MSFT/),
          page.selectOption("select[name=symbol]", "MSFT"),
        ]);
        await page.waitForLoadState("load");
        const after = await page.evaluate(chartsInPage);
        assert.match(after[0]!.title, /^MSFT: /);
        assert.ok(after[0]!.shapes > 0);
        await page.close();
        assert.deepEqual(errors, []);
      });

      await t.step(
        "a run committed while the page is open appears on it",
        async () => {
          const page = await open("/runs");
          await page.waitForSelector("#live-status:has-text('live')");
          assert.match(
            await page.textContent("#runs .summary") ?? "",
            /^1 latest run/,
          );
          await fixture.run("2026-11-23T21:30:00Z");
          const committed = Date.now();
          await page.waitForSelector(
            "#runs .summary:has-text('2 latest run')",
            {
              timeout: 5_000,
            },
          );
          const seconds = (Date.now() - committed) / 1000;
          console.log(
            `live update on the open page ${
              seconds.toFixed(1)
            } s after the run returned`,
          );
          const charts = await page.evaluate(chartsInPage);
          assert.equal(charts.length, 1);
          await page.screenshot({
            path: new URL("runs-live.png", SCREENSHOTS).pathname,
            fullPage: true,
          });
          await page.close();
          assert.deepEqual(errors, []);
        },
      );
    } finally {
      await browser.close();
      await server.close();
      await fixture.dispose();
    }
  },
});
