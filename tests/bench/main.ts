/**
 * `deno task bench`: the speed and memory goals, measured side by side in one
 * run against a real Postgres server (DATABASE_URL, default
 * postgres://root@127.0.0.1:5432/postgres) in a database of its own.
 *
 * 1. Load stage vs `psql \copy`: 1,000,000 bars from a CSV file. Each round
 *    truncates both targets, then times `psql -c "\copy ..."` of the file
 *    into a table identical to bars_1m, and the load stage (bars_1m, bars_5m,
 *    bars_1h, bars_1d and quarantine in one transaction) of the same bars. Goal: the
 *    median ratio load/psql <= 1.25.
 * 2. Whole `deno task etl --source file` of that file (fresh warehouse each
 *    round) vs `psql \copy` of the file plus DuckDB writing the same rows to
 *    Parquet. Goal: ratio <= 3 and peak memory < 1.5 GB.
 *
 * 3. and 4. (`./warehouse.ts`): an incremental hour of 100 symbols into a
 *    10M-bar warehouse vs into an empty one (goal: ratio <= 2), and the peak
 *    memory of a 30-day backfill of 100 symbols from raw files (< 1.5 GB).
 *
 * 5. and 6. (`./stream.ts`, needs NATS at NATS_URL): the stream consumer's
 *    throughput as a ratio to a bare JetStream fetch-and-ack loop (goal
 *    >= 0.5), and p99 publish-to-commit latency at 2,000 bars/s (<= 1 s).
 *
 * 7. (`./dashboard.ts`): the dashboard over a lake of 10,000,000 bars:
 *    server time p95 of the prices page (<= 200 ms) and the runs page
 *    (<= 100 ms), first contentful paint in Chromium (<= 1 s), each beside a
 *    bare DuckDB query of the same data.
 * 8. (`./platform.ts`, needs MariaDB at MYSQL_URL or 127.0.0.1:3306): the
 *    database source's extract of 1,000,000 platform trades as a ratio to
 *    `mysql --batch` of the same query (goal <= 1.5), peak memory < 1 GiB.
 *
 * Flags: --rows N (default 1,000,000), --rounds N (default 3),
 * --warehouse-history N (bars of the full warehouse, default 10,000,000),
 * --skip-warehouse (skip 3 and 4), --skip-stream (skip 5 and 6),
 * --stream-bars N (bars of 5, default 20,000), --skip-dashboard (skip 7),
 * --dashboard-bars N (bars of 7, default 10,000,000).
 * --stream-bars N (bars of 5, default 20,000), --skip-platform (skip 8),
 * --platform-trades N (trades of 8, default 1,000,000).
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { loadDataset } from "@pipeline/datasets/load_dataset.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { loadQuarantine } from "@pipeline/load/quarantine.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { readBarFile } from "@pipeline/extract/file.ts";
import { validateBars } from "@pipeline/validate/bars.ts";
import { transformBars } from "@pipeline/transform/bars.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { createServerDatabase } from "../_db.ts";
import { warehouseBench } from "./warehouse.ts";
import { streamBench } from "./stream.ts";
import { dashboardBench } from "./dashboard.ts";
import { platformBench } from "./platform.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "3" },
    "warehouse-history": { type: "string", default: "10000000" },
    "skip-warehouse": { type: "boolean", default: false },
    "skip-stream": { type: "boolean", default: false },
    "stream-bars": { type: "string", default: "20000" },
    "skip-dashboard": { type: "boolean", default: false },
    "dashboard-bars": { type: "string", default: "10000000" },
    "skip-platform": { type: "boolean", default: false },
    "platform-trades": { type: "string", default: "1000000" },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const SERVER = Deno.env.get("DATABASE_URL") ??
  "postgres://root@127.0.0.1:5432/postgres";
const AS_OF = new Date("2026-11-20T21:00:00Z");
const WAREHOUSE = [
  "bars_1m",
  "bars_5m",
  "bars_1h",
  "bars_1d",
  "quarantine",
  "etl_runs",
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const secs = (ms: number) => (ms / 1000).toFixed(2) + " s";

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
) {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

function makeInput(dir: string): string {
  const symbols = [
    "AAPL",
    "MSFT",
    "AMZN",
    "GOOGL",
    "META",
    "NVDA",
    "TSLA",
    "JPM",
    "XOM",
    "JNJ",
  ];
  const sessions = Math.ceil(ROWS / symbols.length / 390);
  const frame = syntheticBars({
    clock: fixedClock(AS_OF),
    symbols,
    sessions,
    seed: 7,
    defectRate: 0,
  }).head(ROWS).select(
    "symbol",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
  );
  const path = join(dir, "bars.csv");
  frame.writeCSV(path);
  return path;
}

async function psqlCopy(url: string, table: string, csv: string) {
  return await run("psql", [
    url,
    "-v",
    "ON_ERROR_STOP=1",
    "-qc",
    `\\copy ${table} (symbol, ts, open, high, low, close, volume) from '${csv}' csv header`,
  ]);
}

async function duckdbParquet(csv: string, out: string) {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${out}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  return performance.now() - t0;
}

async function truncate(client: SqlClient, tables: string[]) {
  await client.exec(`TRUNCATE ${tables.join(", ")} CASCADE`);
}

const dir = await Deno.makeTempDir({ prefix: "sluice-bench-" });
const db = await createServerDatabase(SERVER);
const client = await connectPostgres(db.url);
try {
  console.log(
    `sluice bench: ${ROWS.toLocaleString()} bars, ${ROUNDS} rounds, server ${
      new URL(SERVER).host
    }`,
  );
  const csv = makeInput(dir);
  console.log(`input ${csv}: ${(Deno.statSync(csv).size / 1e6).toFixed(1)} MB`);
  await migrateToLatest(client);
  // psql's target: identical to bars_1m; load_id gets a constant default
  // because \copy supplies only the file's columns.
  await client.exec(`CREATE TABLE psql_target (LIKE bars_1m INCLUDING ALL);
    ALTER TABLE psql_target ALTER load_id SET DEFAULT '00000000-0000-0000-0000-000000000000'`);

  // The batch the load stage gets: the file through extract, validate, transform.
  const raw = await readBarFile(csv);
  const { valid, quarantine } = validateBars(raw, { now: AS_OF });
  const { duplicates: _, ...batch } = transformBars(valid);
  console.log(
    `batch: ${batch.bars.height} bars, ${batch.bars5m.height} 5m, ${batch.bars1h.height} 1h, ${quarantine.height} quarantined`,
  );

  console.log("\n1. load stage vs psql \\copy (fresh tables each round)");
  const ratios1: number[] = [], loads: number[] = [], psqls: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    await truncate(client, ["psql_target", ...WAREHOUSE]);
    await client.exec("CHECKPOINT");
    const p = await psqlCopy(db.url, "psql_target", csv);
    await client.exec("CHECKPOINT");
    const t0 = performance.now();
    await client.transaction(async (tx) => {
      const loadId = crypto.randomUUID();
      await loadDataset(tx, barsDataset, batch, { loadId });
      await loadQuarantine(tx, quarantine, {
        loadId,
        source: "file",
        dataset: "bars",
        entityColumn: "symbol",
        quarantinedAt: AS_OF,
      });
    });
    const l = performance.now() - t0;
    if (r === 0) {
      console.log(`  warm-up: psql ${secs(p.ms)}, load ${secs(l)}`);
      continue;
    }
    psqls.push(p.ms);
    loads.push(l);
    ratios1.push(l / p.ms);
    console.log(
      `  round ${r}: psql ${secs(p.ms)}, load ${secs(l)}, ratio ${
        (l / p.ms).toFixed(2)
      }`,
    );
  }
  const ratio1 = median(ratios1);

  console.log(
    "\n2. deno task etl --source file vs psql \\copy + DuckDB -> Parquet",
  );
  const ratios2: number[] = [], peaks: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    await truncate(client, ["psql_target", ...WAREHOUSE]);
    const dataDir = join(dir, `etl-${r}`);
    await client.exec("CHECKPOINT");
    const p = await psqlCopy(db.url, "psql_target", csv);
    const d = await duckdbParquet(csv, join(dir, `duck-${r}.parquet`));
    await client.exec("CHECKPOINT");
    const e = await run(Deno.execPath(), [
      "run",
      "--allow-all",
      "pipeline/main.ts",
      "run",
      "--source",
      "file",
      "--input",
      csv,
      "--database-url",
      db.url,
      "--data-dir",
      dataDir,
      "--as-of",
      AS_OF.toISOString(),
      "--json",
    ]);
    const summary = JSON.parse(e.stdout);
    if (summary.status !== "succeeded") {
      throw new Error(`etl failed: ${summary.error}`);
    }
    const base = p.ms + d;
    if (r === 0) {
      console.log(
        `  warm-up: etl ${secs(e.ms)}, psql ${secs(p.ms)} + duckdb ${secs(d)}`,
      );
      continue;
    }
    ratios2.push(e.ms / base);
    peaks.push(summary.peak_rss_mib);
    const stages = summary.stages.map((s: { stage: string; seconds: number }) =>
      `${s.stage} ${s.seconds.toFixed(2)}`
    ).join(", ");
    console.log(
      `  round ${r}: etl ${secs(e.ms)} (${stages}), psql ${
        secs(p.ms)
      } + duckdb ${secs(d)}, ratio ${
        (e.ms / base).toFixed(2)
      }, peak ${summary.peak_rss_mib} MiB`,
    );
  }
  const ratio2 = median(ratios2);
  const peak = Math.max(...peaks);
  const warehouse = values["skip-warehouse"] ? [] : await warehouseBench({
    server: SERVER,
    rounds: ROUNDS,
    history: Number(values["warehouse-history"]),
  });
  const stream = values["skip-stream"] ? [] : await streamBench({
    server: SERVER,
    bars: Number(values["stream-bars"]),
  });
  const platform = values["skip-platform"] ? [] : await platformBench({
    rows: Number(values["platform-trades"]),
    rounds: ROUNDS,
  });

  const verdict = (ok: boolean) => (ok ? "meets goal" : "MISSES GOAL");
  console.log("\nresults (medians of side-by-side rounds)");
  console.log(
    `  load stage / psql \\copy            ${
      ratio1.toFixed(2)
    }x  (goal <= 1.25x)  ${verdict(ratio1 <= 1.25)}   [load ${
      secs(median(loads))
    }, psql ${secs(median(psqls))}]`,
  );
  console.log(
    `  etl / (psql \\copy + duckdb parquet) ${
      ratio2.toFixed(2)
    }x  (goal <= 3x)     ${verdict(ratio2 <= 3)}`,
  );
  console.log(
    `  etl peak memory                    ${peak} MiB (goal < 1536 MiB)  ${
      verdict(peak < 1536)
    }`,
  );
  for (const line of warehouse) console.log(line);
  for (const line of stream) console.log(line);
  const dashboard = values["skip-dashboard"] ? [] : await dashboardBench({
    bars: Number(values["dashboard-bars"]),
  });
  for (const line of dashboard) console.log(line);
  for (const line of platform) console.log(line);
} finally {
  await client.close();
  await db.drop();
  await Deno.remove(dir, { recursive: true });
}
