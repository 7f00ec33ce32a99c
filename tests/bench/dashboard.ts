/**
 * Section 7 of `deno task bench` (issue 13): the dashboard over a lake of N
 * bars (default 10,000,000; `--dashboard-bars N` to shrink). A real run
 * (PGlite) makes the catalogue; DuckDB then writes N synthetic one-minute
 * bars (and their 5m, 1h and 1d aggregates) into the lake's partitions,
 * which the catalogue's views read by glob. Measured, each beside a bare
 * DuckDB query of the same data (the page's SELECT on a connection kept
 * open):
 *
 * - server time p95 of the prices page (one symbol, its last week: 5m
 *   bars) and of the runs page (goals 200 ms and 100 ms);
 * - first contentful paint of both pages in headless Chromium (goal 1 s),
 *   each load a new URL (rendered, not cached), after one uncounted load.
 *
 * Standalone: `deno run -A tests/bench/dashboard.ts --bars 100000`.
 * @module
 */
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { chromium } from "playwright-core";
import { fixedClock } from "@pipeline/clock.ts";
import { openCatalog } from "@pipeline/snapshot/open_catalog.ts";
import { createDashboard } from "@pipeline/serve/server.ts";
import { startDashboard } from "@pipeline/serve/start.ts";
import { openTestDatabase } from "../_db.ts";
import { AS_OF, runInto } from "../query/_catalog.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../serve/_chromium.ts";

/** Options of {@link dashboardBench}. */
export interface DashboardBenchOptions {
  /** Bars in the lake. Default 10,000,000. */
  bars?: number;
  /** Requests per measurement. Default 30. */
  requests?: number;
  log?: (line: string) => void;
}

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Writes `bars` synthetic minute bars and their aggregates into the lake. */
async function fillLake(dataDir: string, bars: number): Promise<string> {
  const symbols = Math.max(1, Math.min(100, Math.floor(bars / 3900)));
  const perSymbol = Math.ceil(bars / symbols);
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const lake = `${dataDir}/lake`;
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(
      `CREATE TABLE b AS
       SELECT 'S' || lpad(s::VARCHAR, 3, '0') AS symbol,
              TIMESTAMPTZ '2026-11-18 14:30:00+00' - INTERVAL (i // 390) DAY + INTERVAL (i % 390) MINUTE AS ts,
              100 + s + 5 * sin(i / 700.0) + (i % 7) * 0.01 AS close,
              (1000 + (i * 7919) % 5000)::DOUBLE AS volume
       FROM range(${symbols}) t(s), range(${perSymbol}) u(i)
       LIMIT ${bars}`,
    );
    await conn.run(
      `COPY (SELECT symbol, ts, close - 0.02 AS open, close + 0.05 AS high, close - 0.05 AS low,
                    close, volume, NULL::DOUBLE AS ret,
                    avg(close) OVER w AS ma_close_20, avg(volume) OVER w AS ma_volume_20,
                    close AS vwap, 'bench' AS load_id, ts::DATE AS date
             FROM b WINDOW w AS (PARTITION BY symbol ORDER BY ts ROWS 19 PRECEDING))
       TO '${lake}/bars_1m' (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN 'bench_{i}', OVERWRITE_OR_IGNORE)`,
    );
    for (
      const [table, width] of [["bars_5m", "5 minutes"], ["bars_1h", "1 hour"]]
    ) {
      await conn.run(
        `COPY (SELECT symbol, time_bucket(INTERVAL '${width}', ts) AS ts,
                      first(close - 0.02 ORDER BY ts) AS open, max(close + 0.05) AS high,
                      min(close - 0.05) AS low, last(close ORDER BY ts) AS close,
                      sum(volume) AS volume, sum(close * volume) / sum(volume) AS vwap,
                      count(*)::INTEGER AS bar_count, 'bench' AS load_id,
                      time_bucket(INTERVAL '${width}', ts)::DATE AS date
               FROM b GROUP BY 1, 2)
         TO '${lake}/${table}' (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN 'bench_{i}', OVERWRITE_OR_IGNORE)`,
      );
    }
    await conn.run(
      `COPY (SELECT symbol, date_trunc('day', ts) AS ts,
                    first(close - 0.02 ORDER BY ts) AS open, max(close + 0.05) AS high,
                    min(close - 0.05) AS low, last(close ORDER BY ts) AS close,
                    sum(volume) AS volume, sum(close * volume) / sum(volume) AS vwap,
                    count(*)::INTEGER AS bar_count, 'bench' AS load_id,
                    strftime(date_trunc('day', ts), '%Y-%m') AS month
             FROM b GROUP BY 1, 2)
       TO '${lake}/bars_1d' (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'bench_{i}', OVERWRITE_OR_IGNORE)`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return `S${String(Math.floor(symbols / 2)).padStart(3, "0")}`;
}

/** Runs section 7; returns its result lines. */
export async function dashboardBench(
  options: DashboardBenchOptions = {},
): Promise<string[]> {
  const { bars = 10_000_000, requests = 30, log = console.log } = options;
  const dataDir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "sluice_bench_dash_" }),
  );
  const db = await openTestDatabase("pglite");
  try {
    const summary = await runInto(db.client, dataDir);
    if (summary.status !== "succeeded") {
      throw new Error(summary.error ?? "run failed");
    }
    let t0 = performance.now();
    const symbol = await fillLake(dataDir, bars);
    log(
      `7. dashboard: lake of ${bars.toLocaleString("en-US")} bars written in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
    const dashboard = createDashboard(
      { dataDir, host: "127.0.0.1", port: 0 },
      { clock: fixedClock(AS_OF), warn: log },
    );
    const prices = `/prices?symbol=${symbol}&from=2026-11-12&to=2026-11-18`;
    const time = async (pathOf: string | ((i: number) => string)) => {
      const times: number[] = [];
      for (let i = 0; i < requests + 2; i++) {
        const path = typeof pathOf === "string" ? pathOf : pathOf(i);
        t0 = performance.now();
        const response = await dashboard.handler(
          new Request(`http://h${path}`),
        );
        const body = await response.text();
        if (response.status !== 200) {
          throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
        }
        if (i >= 2) times.push(performance.now() - t0);
      }
      return p95(times);
    };
    // The bare query: the same SELECT on a connection kept open.
    const catalog = await openCatalog(dataDir);
    const bare = async (sql: string, params: (string | number)[]) => {
      const times: number[] = [];
      for (let i = 0; i < requests + 2; i++) {
        t0 = performance.now();
        await catalog.conn.runAndReadAll(sql, params);
        if (i >= 2) times.push(performance.now() - t0);
      }
      return p95(times);
    };
    // Cold: a different symbol (or range) each request, every page rendered;
    // warm: the same URL again, served from the page cache.
    const symbolCount = Math.max(1, Math.min(100, Math.floor(bars / 3900)));
    const pricesCold = await time((i) =>
      `/prices?symbol=S${
        String(i % symbolCount).padStart(3, "0")
      }&from=2026-11-${
        String(12 - Math.floor(i / symbolCount) % 10).padStart(2, "0")
      }&to=2026-11-18`
    );
    const pricesMs = await time(prices);
    const pricesBare = await bare(
      `SELECT ts, open, high, low, close, volume, vwap FROM bars_5m
       WHERE symbol = $1 AND date BETWEEN CAST($2 AS DATE) AND CAST($3 AS DATE) ORDER BY ts`,
      [symbol, "2026-11-12", "2026-11-18"],
    );
    // The same over the week's partition folders only, as the page reads
    // them (the view's glob opens every file's footer first).
    const week = Array.from(
      { length: 7 },
      (_, i) => `'lake/bars_5m/date=2026-11-${12 + i}/*.parquet'`,
    );
    const pricesBareWeek = await bare(
      `SELECT ts, open, high, low, close, volume, vwap
       FROM read_parquet([${week.join(", ")}], hive_partitioning = true,
                         hive_types = {'date': DATE}, union_by_name = true)
       WHERE symbol = $1 AND date BETWEEN CAST($2 AS DATE) AND CAST($3 AS DATE) ORDER BY ts`,
      [symbol, "2026-11-12", "2026-11-18"],
    );
    const runsCold = await time((i) => `/runs?n=${i}`);
    const runsMs = await time("/runs");
    const runsBare = await bare(
      `SELECT r.*, s.* FROM (SELECT * FROM etl_runs ORDER BY started_at DESC LIMIT 40) r
       JOIN etl_run_stages s USING (run_id)`,
      [],
    );
    catalog.close();
    dashboard.close();
    const lines = [
      `7. dashboard over ${
        bars.toLocaleString("en-US")
      } bars, p95 of ${requests} requests (goal prices <= 200 ms, runs <= 100 ms):`,
      `   prices page: rendered ${ms(pricesCold)}, cached ${
        ms(pricesMs)
      } (bare DuckDB query of its bars ${ms(pricesBare)} through the view, ${
        ms(pricesBareWeek)
      } over the week's partitions)`,
      `   runs page: rendered ${ms(runsCold)}, cached ${
        ms(runsMs)
      } (bare DuckDB query of its runs ${ms(runsBare)})`,
    ];
    const hasChromium = await Deno.stat(CHROMIUM_PATH).then(
      () => true,
      () => false,
    );
    if (!hasChromium) {
      lines.push(
        `   first contentful paint: skipped (no Chromium at ${CHROMIUM_PATH})`,
      );
      return lines;
    }
    const server = await startDashboard(
      { dataDir, host: "127.0.0.1", port: 0 },
      { clock: fixedClock(AS_OF), warn: log },
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
    });
    try {
      // Each load a URL of its own, so each page is rendered, not served
      // from the page cache.
      const pricesAt = (i: number) =>
        `/prices?symbol=S${
          String((i + 50) % symbolCount).padStart(3, "0")
        }&from=2026-11-12&to=2026-11-18`;
      for (
        const [name, pathAt, bareMs] of [
          ["prices", pricesAt, pricesBare],
          ["runs", (i: number) => `/runs?load=${i}`, runsBare],
        ] as const
      ) {
        const paints: number[] = [];
        // One load first, not counted (as the server times drop their first
        // two): a fresh browser's first page pays for starting its renderer.
        for (let i = -1; i < 5; i++) {
          const page = await browser.newPage();
          await page.goto(`${server.url}${pathAt(i)}`);
          const fcp = await page.evaluate(() =>
            new Promise<number>((resolve) => {
              const seen =
                performance.getEntriesByName("first-contentful-paint")[0];
              if (seen) return resolve(seen.startTime);
              new PerformanceObserver((list) => {
                const entry =
                  list.getEntriesByName("first-contentful-paint")[0];
                if (entry) resolve(entry.startTime);
              }).observe({ type: "paint", buffered: true });
            })
          );
          if (i >= 0) paints.push(fcp);
          await page.close();
        }
        lines.push(
          `   first contentful paint, ${name}: p95 ${
            ms(p95(paints))
          } of 5 rendered loads after one (goal <= 1000 ms; bare query ${
            ms(bareMs)
          })`,
        );
      }
    } finally {
      await browser.close();
      await server.close();
    }
    return lines;
  } finally {
    await db.dispose();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      bars: { type: "string", default: "10000000" },
      requests: { type: "string", default: "30" },
    },
  });
  for (
    const line of await dashboardBench({
      bars: Number(values.bars),
      requests: Number(values.requests),
    })
  ) {
    console.log(line);
  }
  Deno.exit(0);
}
