/**
 * Incremental windows of the HTTP sources: after a first load, Finnhub is
 * asked per symbol only from `floor_hour(watermark - lag)`, all symbols
 * sharing one rate limiter, and the re-read bars merge unchanged.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { fixtureServer, fixtureText, reply } from "../fixtures/server.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";

dbTest(
  "a second finnhub run asks each symbol only for [floor_hour(watermark - lag), end)",
  async (db) => {
    const body = await fixtureText("finnhub/candles_ibm.json");
    await using server = fixtureServer(reply(body));
    const clock = fixedClock("2026-11-03T00:00:00Z");
    const dataDir = await Deno.makeTempDir();
    const run = async () => {
      const cfg = parseRunConfig({
        source: "finnhub",
        symbols: ["IBM", "MSFT"],
        start: "2026-11-02T00:00:00Z",
        end: "2026-11-03T00:00:00Z",
        dataDir,
        rawLanding: false,
      });
      const source = await sourceFor(cfg, {
        clock,
        http: {
          env: {
            FINNHUB_API_KEY: "k",
            FINNHUB_BASE_URL: `${server.url}/api/v1`,
          },
          dotenv: false,
          sleep: () => Promise.resolve(),
        },
      });
      const summary = await runPipeline(source, {
        dataDir,
        snapshot: false,
        incremental: { lagMs: 30 * 60_000 },
      }, { client: db.client, clock });
      assert.equal(summary.status, "succeeded", summary.error ?? "");
      return summary;
    };
    const first = await run();
    assert.ok(first.counts.loaded > 0);
    const firstFrom = server.requests.map((r) =>
      r.url.searchParams.get("from")
    );
    assert.deepEqual(firstFrom, [
      String(Date.parse("2026-11-02T00:00:00Z") / 1000),
      String(Date.parse("2026-11-02T00:00:00Z") / 1000),
    ]);
    const { rows } = await db.client.query<{ w: Date }>(
      `SELECT max(watermark) AS w FROM etl_watermarks WHERE source = 'finnhub'`,
    );
    const since = Math.floor(
      (new Date(rows[0]!.w).getTime() - 30 * 60_000) / 3_600_000,
    ) * 3_600;
    const second = await run();
    const secondFrom = server.requests.slice(2).map((r) =>
      r.url.searchParams.get("from")
    );
    assert.deepEqual(secondFrom, [String(since), String(since)]);
    for (const t of second.tables) assert.equal(t.inserted + t.updated, 0);
    await Deno.remove(dataDir, { recursive: true });
  },
);
