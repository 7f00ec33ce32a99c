/**
 * Incremental loading end to end, in process, on PGlite and a server:
 * watermarks, the lag, context-exact windows, late corrections, idempotent
 * re-runs of a window.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest, type TestDatabase } from "../_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { readWatermarks } from "@pipeline/load/watermarks.ts";
import { keepFromSince } from "@pipeline/incremental/window.ts";

const SYMBOLS = ["AAPL", "MSFT"];
const LAG = { lagMs: 30 * 60_000 };

async function syntheticRun(
  db: TestDatabase,
  asOf: string,
  options: { incremental?: boolean; client?: SqlClient } = {},
) {
  const dataDir = await Deno.makeTempDir();
  const clock = fixedClock(asOf);
  const cfg = parseRunConfig({ dataDir, symbols: SYMBOLS, sessions: 2 });
  const source = await sourceFor(cfg, { clock });
  const summary = await runPipeline(source, {
    dataDir,
    snapshot: false,
    incremental: options.incremental === false ? false : LAG,
  }, { client: options.client ?? db.client, clock });
  await Deno.remove(dataDir, { recursive: true });
  assert.equal(summary.status, "succeeded", summary.error ?? "");
  return summary;
}

/** Every bar table's rows (load ids left out), as text for deepEqual. */
async function warehouse(client: SqlClient) {
  const out: Record<string, string[]> = {};
  for (const t of ["bars_1m", "bars_5m", "bars_1h"]) {
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT * FROM ${t} ORDER BY symbol, ts`,
    );
    out[t] = rows.map((r) => {
      const { load_id: _, ...rest } = r;
      return JSON.stringify(rest);
    });
  }
  return out;
}

dbTest(
  "incremental runs an hour apart end with exactly the warehouse of one run over all the data",
  async (db) => {
    // Incremental: 17:00, 18:00, ... 21:30 of the second session.
    for (
      const asOf of [
        "2026-11-20T17:00:00Z",
        "2026-11-20T18:00:00Z",
        "2026-11-20T19:15:00Z",
        "2026-11-20T21:30:00Z",
      ]
    ) await syntheticRun(db, asOf);
    const incremental = await warehouse(db.client);

    // One run over everything, from empty tables.
    await db.client.exec("TRUNCATE bars_1m, bars_5m, bars_1h, etl_watermarks");
    await syntheticRun(db, "2026-11-20T21:30:00Z", { incremental: false });
    const single = await warehouse(db.client);
    assert.equal(single.bars_1m!.length, incremental.bars_1m!.length);
    assert.ok(single.bars_1m!.length > 2 * 2 * 380);
    assert.deepEqual(incremental, single);
  },
);

dbTest(
  "an incremental run asks only for data after the watermark minus the lag, and moves the watermark",
  async (db) => {
    const first = await syntheticRun(db, "2026-11-20T19:00:00Z");
    const marks = await readWatermarks(db.client, "synthetic");
    assert.deepEqual([...marks.keys()].sort(), SYMBOLS);
    assert.equal(marks.get("AAPL")?.toISOString(), "2026-11-20T19:00:00.000Z");
    const second = await syntheticRun(db, "2026-11-20T20:00:00Z");
    // [18:00, 20:00]: 121 minutes per symbol (watermark 19:00 - 30 min,
    // rounded down to the hour), a few of them defective.
    assert.ok(
      second.counts.extracted <= 2 * 122,
      String(second.counts.extracted),
    );
    assert.ok(
      second.counts.extracted >= 2 * 118,
      String(second.counts.extracted),
    );
    assert.ok(first.counts.extracted > 5 * second.counts.extracted);
    const bars = second.tables.find((t) => t.table === "bars_1m")!;
    assert.equal(
      bars.inserted,
      second.counts.loaded - bars.unchanged - bars.updated,
    );
    assert.equal(bars.updated, 0, "re-read bars recompute to the same values");
    const after = await readWatermarks(db.client, "synthetic");
    assert.equal(after.get("MSFT")?.toISOString(), "2026-11-20T20:00:00.000Z");
  },
);

dbTest(
  "re-running the same window leaves identical table contents; a replay of older data never moves the watermark back",
  async (db) => {
    await syntheticRun(db, "2026-11-20T20:00:00Z");
    const before = await warehouse(db.client);
    const again = await syntheticRun(db, "2026-11-20T20:00:00Z");
    for (const t of again.tables) assert.equal(t.inserted + t.updated, 0);
    assert.deepEqual(await warehouse(db.client), before);
    await syntheticRun(db, "2026-11-20T16:00:00Z", { incremental: false });
    const marks = await readWatermarks(db.client, "synthetic");
    assert.equal(marks.get("AAPL")?.toISOString(), "2026-11-20T20:00:00.000Z");
  },
);

/**
 * A source whose bars can be corrected after the fact: it honours the
 * incremental window like a real API, and `close` of one minute is what the
 * test says.
 */
function correctableSource(asOf: string, corrections: Map<string, number>) {
  const clock = fixedClock(asOf);
  const cfg = parseRunConfig({ symbols: ["AAPL"], sessions: 1, defectRate: 0 });
  return sourceFor(cfg, { clock }).then((inner): Source => ({
    ...inner,
    partitions: (options) =>
      inner.partitions(options).map((p) => ({
        ...p,
        extract: async () => {
          const raw = await p.extract();
          const keys = [...corrections.keys()];
          if (keys.length === 0) return raw;
          let close = pl.col("close");
          for (const [key, value] of corrections) {
            close = pl.when(
              pl.col("record").str.contains(key, true),
            )
              .then(pl.lit(String(value))).otherwise(close);
          }
          return raw.withColumns(close.alias("close"));
        },
      })),
  }));
}

dbTest(
  "a late correction inside the lag is merged; bars before the window are not re-read",
  async (db) => {
    const dataDir = await Deno.makeTempDir();
    const runAt = async (asOf: string, corrections: Map<string, number>) => {
      const source = await correctableSource(asOf, corrections);
      return await runPipeline(source, {
        dataDir,
        snapshot: false,
        incremental: LAG,
      }, { client: db.client, clock: fixedClock(asOf) });
    };
    const first = await runAt("2026-11-20T19:00:00Z", new Map());
    assert.equal(first.status, "succeeded", first.error ?? "");
    const closeAt = async (ts: string) =>
      (await db.client.query<{ close: number; high: number; low: number }>(
        `SELECT close, high, low FROM bars_1m
         WHERE symbol = 'AAPL' AND ts = $1`,
        [ts],
      )).rows[0]!;
    // The source corrects 18:40 (inside [18:00, ...)) and 17:10 (before it).
    const late = "2026-11-20T18:40:00Z", old = "2026-11-20T17:10:00Z";
    const lateBefore = await closeAt(late), oldBefore = await closeAt(old);
    // A corrected close: still within [low, high], so it validates.
    const fix = (v: { high: number; low: number }) => (v.high + v.low) / 2;
    const second = await runAt(
      "2026-11-20T19:30:00Z",
      new Map([[`:${late.slice(0, 16)}`, fix(lateBefore)], [
        `:${old.slice(0, 16)}`,
        fix(oldBefore),
      ]]),
    );
    assert.equal(second.status, "succeeded", second.error ?? "");
    assert.equal((await closeAt(late)).close, fix(lateBefore), "merged");
    assert.equal((await closeAt(old)).close, oldBefore.close, "not re-read");
    const bars = second.tables.find((t) => t.table === "bars_1m")!;
    // The corrected bar, and the bars whose derived columns use its close.
    assert.ok(bars.updated >= 1, JSON.stringify(bars));
    await Deno.remove(dataDir, { recursive: true });
  },
);

Deno.test("keepFromSince() keeps rows at or after their entity's start, and entities without one whole", () => {
  const ts = (s: string) => new Date(s).getTime();
  const frame = pl.DataFrame({
    symbol: ["A", "A", "B", "C"],
    ts: [
      ts("2026-11-20T17:59:00Z"),
      ts("2026-11-20T18:00:00Z"),
      ts("2026-11-20T10:00:00Z"),
      ts("2026-11-20T09:00:00Z"),
    ],
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
  const kept = keepFromSince(
    frame,
    new Map([
      ["A", new Date("2026-11-20T18:00:00Z")],
      ["B", new Date("2026-11-20T11:00:00Z")],
    ]),
    { entity: "symbol" },
  );
  assert.deepEqual(kept.getColumn("symbol").toArray(), ["A", "C"]);
});
