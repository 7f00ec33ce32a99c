/**
 * The warehouse goals of `deno task bench` (issue 5), against a real
 * Postgres server, each database of its own:
 *
 * 3. Incremental cost follows new data, not history: one hour of minute bars
 *    for 100 symbols (`etl run --start T-1h --as-of T`, snapshot included)
 *    into a warehouse that already holds 10,000,000 bars, against the same
 *    run into an empty warehouse, side by side; each round restores both
 *    warehouses first. Goal: median ratio full/empty <= 2.
 * 4. A 30-day backfill of 100 symbols of minute bars from raw landing files
 *    (`etl backfill --from-raw`, Alpha Vantage month responses landed under
 *    DATA_DIR/raw/): peak memory < 1.5 GB.
 * @module
 */
import { join } from "node:path";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { rawLanding } from "@pipeline/extract/http/raw_landing.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { createServerDatabase } from "../_db.ts";
import { ensurePartitions } from "@pipeline/warehouse/partitions.ts";

/** Options of {@link warehouseBench}. */
export interface WarehouseBenchOptions {
  server: string;
  rounds: number;
  /** History bars of the full warehouse. Default 10,000,000. */
  history?: number;
  log?: (line: string) => void;
}

const SYMBOLS = Array.from(
  { length: 100 },
  (_, i) => `S${String(i).padStart(2, "0")}`,
);
const T = "2026-11-20T20:00:00Z";
const NEW_FROM = "2026-11-20T19:00:00Z";
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const secs = (ms: number) => (ms / 1000).toFixed(2) + " s";

async function etl(args: string[]) {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "pipeline/main.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `etl ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return { ms, json: JSON.parse(text) };
}

/**
 * Fills bars_1m with `history` bars: 100 symbols x whole sessions of 390
 * minutes on weekdays before 2026-11-20, and 2026-11-20 up to 18:59 (the
 * hour before the new one), with 5-minute and hourly aggregates and
 * watermarks at 18:59.
 */
export async function fillHistory(client: SqlClient, history: number) {
  const perSymbol = Math.floor(history / SYMBOLS.length);
  const today = 270; // 14:30 .. 18:59
  const days = Math.ceil((perSymbol - today) / 390);
  const load = "00000000-0000-0000-0000-000000000000";
  await client.exec(`
    CREATE TEMP TABLE bench_days AS
      SELECT d FROM generate_series('2026-11-19'::timestamptz - interval '${
    Math.ceil(days * 1.5) + 10
  } days', '2026-11-19'::timestamptz, '1 day') d
      WHERE extract(isodow FROM d) < 6 ORDER BY d DESC LIMIT ${days};
    CREATE TEMP TABLE bench_minutes AS
      SELECT d + interval '14 hours 30 minutes' + m * interval '1 minute' AS ts
      FROM bench_days, generate_series(0, 389) m
      UNION ALL
      SELECT '2026-11-20T14:30:00Z'::timestamptz + m * interval '1 minute'
      FROM generate_series(0, ${today - 1}) m;`);
  // The monthly partitions the history needs, as a load would create them.
  const { rows: [span] } = await client.query<{ lo: Date }>(
    "SELECT min(ts) AS lo FROM bench_minutes",
  );
  for (const table of ["bars_1m", "bars_5m", "bars_1h"]) {
    await client.transaction((tx) =>
      ensurePartitions(tx, {
        table,
        from: new Date(span!.lo),
        to: new Date("2026-11-21T00:00:00Z"),
      })
    );
  }
  await client.exec(`
    INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, ret,
      ma_close_20, ma_volume_20, vwap, load_id)
    SELECT 'S' || lpad(s::text, 2, '0'), ts, 100 + s, 101 + s, 99 + s,
      100.5 + s, 1000, 0.001, 100 + s, 1000, 100 + s, '${load}'
    FROM generate_series(0, ${SYMBOLS.length - 1}) s, bench_minutes;
    INSERT INTO bars_5m (symbol, ts, open, high, low, close, volume, vwap,
      bar_count, load_id)
    SELECT symbol, date_bin('5 minutes', ts, '2000-01-01'), min(open),
      max(high), min(low), max(close), sum(volume), avg(vwap), count(*),
      '${load}' FROM bars_1m GROUP BY 1, 2;
    INSERT INTO bars_1h (symbol, ts, open, high, low, close, volume, vwap,
      bar_count, load_id)
    SELECT symbol, date_trunc('hour', ts), min(open), max(high), min(low),
      max(close), sum(volume), avg(vwap), count(*), '${load}'
    FROM bars_1m GROUP BY 1, 2;
    INSERT INTO etl_watermarks
    SELECT 'synthetic', symbol, 'bars', 'ts', max(ts), '${load}', now()
    FROM bars_1m GROUP BY symbol;`);
  for (const t of ["bars_1m", "bars_5m", "bars_1h"]) {
    await client.exec(`VACUUM ANALYZE ${t}`);
  }
  const { rows } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM bars_1m",
  );
  return rows[0]!.n;
}

/** Puts a warehouse back to its state before the measured run. */
async function restore(client: SqlClient, full: boolean) {
  if (!full) {
    await client.exec(
      "TRUNCATE bars_1m, bars_5m, bars_1h, quarantine, etl_watermarks",
    );
    return;
  }
  await client.exec(`
    DELETE FROM bars_1m WHERE ts >= '${NEW_FROM}';
    DELETE FROM bars_5m WHERE ts >= '${NEW_FROM}';
    DELETE FROM bars_1h WHERE ts >= '${NEW_FROM}';
    DELETE FROM quarantine;
    UPDATE etl_watermarks SET watermark = '2026-11-20T18:59:00Z';`);
}

/** Section 3; returns the median ratio. */
async function incrementalCost(options: WarehouseBenchOptions) {
  const log = options.log ?? console.log;
  const history = options.history ?? 10_000_000;
  const fullDb = await createServerDatabase(options.server);
  const emptyDb = await createServerDatabase(options.server);
  const full = await connectPostgres(fullDb.url);
  const empty = await connectPostgres(emptyDb.url);
  const dir = await Deno.makeTempDir({ prefix: "sluice-bench-wh-" });
  try {
    await migrateToLatest(full);
    await migrateToLatest(empty);
    const t0 = performance.now();
    const n = await fillHistory(full, history);
    log(
      `  full warehouse: ${n.toLocaleString("en-US")} bars_1m rows (filled in ${
        secs(performance.now() - t0)
      })`,
    );
    const args = (url: string, dataDir: string) => [
      "run",
      "--source",
      "synthetic",
      "--symbols",
      SYMBOLS.join(","),
      "--sessions",
      "1",
      "--start",
      NEW_FROM,
      "--as-of",
      T,
      "--defect-rate",
      "0",
      "--database-url",
      url,
      "--data-dir",
      dataDir,
      "--json",
    ];
    const ratios: number[] = [], fulls: number[] = [], empties: number[] = [];
    for (let r = 0; r <= options.rounds; r++) {
      await restore(full, true);
      await restore(empty, false);
      const e = await etl(args(emptyDb.url, join(dir, `empty-${r}`)));
      const f = await etl(args(fullDb.url, join(dir, `full-${r}`)));
      const newRows = f.json.tables[0].inserted;
      if (newRows !== e.json.tables[0].inserted) {
        throw new Error(
          `the runs differ: full inserted ${newRows}, empty ${
            e.json.tables[0].inserted
          }`,
        );
      }
      const stages = (j: { stages: { stage: string; seconds: number }[] }) =>
        j.stages.map((s) => `${s.stage} ${s.seconds.toFixed(2)}`).join(", ");
      if (r === 0) {
        log(`  warm-up: full ${secs(f.ms)}, empty ${secs(e.ms)}`);
        continue;
      }
      ratios.push(f.ms / e.ms);
      fulls.push(f.ms);
      empties.push(e.ms);
      log(
        `  round ${r}: ${newRows} new bars; full ${secs(f.ms)} (${
          stages(f.json)
        }), empty ${secs(e.ms)} (${stages(e.json)}), ratio ${
          (f.ms / e.ms).toFixed(2)
        }`,
      );
    }
    return {
      ratio: median(ratios),
      full: median(fulls),
      empty: median(empties),
    };
  } finally {
    await full.close();
    await empty.close();
    await fullDb.drop();
    await emptyDb.drop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Lands one Alpha Vantage month response per symbol under `dataDir/raw`. */
async function landMonth(dataDir: string, log: (line: string) => void) {
  const landing = rawLanding({ dataDir });
  const clock = fixedClock("2026-11-30T21:30:00Z");
  let bars = 0;
  for (const symbol of SYMBOLS) {
    const raw = syntheticBars({
      clock,
      symbols: [symbol],
      sessions: 21, // November 2026's sessions (Thanksgiving closed)
      defectRate: 0,
      seed: 11,
    });
    const cols = raw.select("ts", "open", "high", "low", "close", "volume");
    const [ts, o, h, l, c, v] = cols.columns.map((n) =>
      cols.getColumn(n).toArray() as string[]
    );
    const series: Record<string, Record<string, string>> = {};
    for (let i = ts!.length - 1; i >= 0; i--) {
      series[ts![i]!.slice(0, 19).replace("T", " ")] = {
        "1. open": o![i]!,
        "2. high": h![i]!,
        "3. low": l![i]!,
        "4. close": c![i]!,
        "5. volume": v![i]!,
      };
    }
    bars += ts!.length;
    const body = JSON.stringify({
      "Meta Data": {
        "1. Information":
          "Intraday (1min) open, high, low, close prices and volume",
        "2. Symbol": symbol,
        "3. Last Refreshed": ts!.at(-1)!.slice(0, 19).replace("T", " "),
        "4. Interval": "1min",
        "5. Output Size": "Full size",
        "6. Time Zone": "US/Eastern",
      },
      "Time Series (1min)": series,
    });
    await landing.land({
      source: "alphavantage",
      partition: `${symbol} 2026-11`,
      params: {
        symbol,
        interval: "1min",
        month: "2026-11",
        start: "2026-11-01T04:00:00.000Z",
        end: "2026-12-01T05:00:00.000Z",
      },
      url:
        `https://www.alphavantage.co/query?function=TIME_SERIES_INTRADAY&symbol=${symbol}&interval=1min&month=2026-11`,
      status: 200,
      headers: new Headers({ "content-type": "application/json" }),
      body: new TextEncoder().encode(body),
      fetchedAt: clock.now(),
    });
  }
  log(
    `  landed ${SYMBOLS.length} month responses, ${
      bars.toLocaleString("en-US")
    } bars`,
  );
}

/** Section 4; returns the peak memory in MiB. */
async function backfillMemory(options: WarehouseBenchOptions) {
  const log = options.log ?? console.log;
  const db = await createServerDatabase(options.server);
  const dir = await Deno.makeTempDir({ prefix: "sluice-bench-bf-" });
  try {
    await landMonth(dir, log);
    const run = await etl([
      "backfill",
      "--source",
      "alphavantage",
      "--from-raw",
      "--from",
      "2026-11-01",
      "--to",
      "2026-12-01",
      "--as-of",
      "2026-12-01T00:00:00Z",
      "--database-url",
      db.url,
      "--data-dir",
      dir,
      "--json",
    ]);
    const r = run.json;
    log(
      `  backfill: ${r.succeeded}/${r.planned} chunks, ${
        r.loaded.toLocaleString("en-US")
      } bars loaded in ${secs(run.ms)}, peak ${r.peak_rss_mib} MiB`,
    );
    return r.peak_rss_mib as number;
  } finally {
    await db.drop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs sections 3 and 4; returns the result lines. */
export async function warehouseBench(
  options: WarehouseBenchOptions,
): Promise<string[]> {
  const log = options.log ?? console.log;
  const verdict = (ok: boolean) => (ok ? "meets goal" : "MISSES GOAL");
  log("\n3. incremental hour of 100 symbols: 10M-bar warehouse vs empty");
  const inc = await incrementalCost(options);
  log("\n4. 30-day backfill of 100 symbols from raw landing files");
  const peak = await backfillMemory(options);
  return [
    `  incremental full / empty           ${
      inc.ratio.toFixed(2)
    }x  (goal <= 2x)     ${verdict(inc.ratio <= 2)}   [full ${
      secs(inc.full)
    }, empty ${secs(inc.empty)}]`,
    `  backfill peak memory               ${peak} MiB (goal < 1536 MiB)  ${
      verdict(peak < 1536)
    }`,
  ];
}

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 3);
  const history = Number(Deno.args[1] ?? 10_000_000);
  const lines = await warehouseBench({
    server: Deno.env.get("DATABASE_URL") ??
      "postgres://root@127.0.0.1:5432/postgres",
    rounds,
    history,
  });
  console.log("\nresults (medians of side-by-side rounds)");
  for (const l of lines) console.log(l);
}
