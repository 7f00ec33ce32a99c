/**
 * 7. The database source's extract of the platform's trades vs the `mysql`
 * client's `--batch` output of the same query (goal: ratio <= 1.5) and its
 * peak memory (goal < 1 GiB).
 *
 * Fills `trades` of a bench database on MariaDB (MYSQL_URL's server,
 * default 127.0.0.1:3306) with N rows through the Sequence engine, then
 * per round times, each in a process of its own, `mysql --batch -e "SELECT
 * ... ORDER BY id"` into a file and the engine's keyset extract
 * (`extractTable` of `platform_trades`, pages of 20,000 into a CSV file),
 * whose peak RSS (VmHWM) the child reports.
 *
 * Standalone: `deno run -A tests/bench/platform.ts [--trades N] [--rounds R]`;
 * in `deno task bench` unless --skip-platform (--platform-trades N).
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { mysqlReader } from "@pipeline/extract/database/reader.ts";
import { extractTable } from "@pipeline/extract/database/keyset.ts";
import { platformTradesDataset } from "@pipeline/datasets/platform_trades/mod.ts";
import { createPlatformSchema } from "@tools/platform/schema.ts";
import { peakRssMib } from "@pipeline/summary.ts";

const SERVER = Deno.env.get("MYSQL_URL") ??
  "mysql://root@127.0.0.1:3306/sluice_platform";

function benchUrl(): string {
  const url = new URL(SERVER);
  url.pathname = "/sluice_bench_platform";
  return url.toString();
}

/** Creates the bench database with `rows` trades (kept if already so). */
async function fill(url: string, rows: number): Promise<void> {
  const u = new URL(url);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  });
  try {
    await createPlatformSchema(conn, url);
    const [[have]] = await conn.query(
      "SELECT count(*) AS n, coalesce(max(id), 0) AS m FROM trades",
    ) as unknown as [[{ n: number; m: number }]];
    if (Number(have?.n) === rows && Number(have?.m) === rows) return;
    await conn.query("TRUNCATE trades");
    await conn.query(
      `INSERT INTO trades (id, order_id, account_id, stock_id, side, quantity,
         price, executed_at, created_at, updated_at)
       SELECT seq, seq, 1 + seq % 5000, 1 + seq % 40,
              IF(seq % 2 = 0, 'buy', 'sell'), 1 + seq % 500,
              100 + (seq % 10000) / 100,
              TIMESTAMP'2026-11-02 14:30:00' + INTERVAL (seq * 37) SECOND,
              TIMESTAMP'2026-11-02 14:30:01' + INTERVAL (seq * 37) SECOND,
              TIMESTAMP'2026-11-02 14:30:01' + INTERVAL (seq * 37) SECOND
       FROM seq_1_to_${Math.trunc(rows)}`,
    );
  } finally {
    await conn.end();
  }
}

/** The extract in this process (the child): prints ms, rows, peak MiB. */
async function child(url: string, out: string): Promise<void> {
  const reader = await mysqlReader(url);
  try {
    await reader.beginSnapshot();
    const t0 = performance.now();
    const r = await extractTable(reader, platformTradesDataset, {
      path: out,
    });
    const ms = performance.now() - t0;
    await reader.endSnapshot();
    console.log(JSON.stringify({ ms, rows: r.rows, peak: peakRssMib() }));
  } finally {
    await reader.close();
  }
}

async function timed(cmd: string, args: string[]) {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, { args, stderr: "piped" }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Runs the section; returns its result lines. */
export async function platformBench(
  options: { rows: number; rounds: number },
): Promise<string[]> {
  const url = benchUrl();
  const u = new URL(url);
  console.log(
    `\n7. extract of ${options.rows} trades vs mysql --batch (${u.host}${u.pathname})`,
  );
  await fill(url, options.rows);
  const dir = await Deno.makeTempDir({ prefix: "sluice_bench_platform_" });
  const columns = platformTradesDataset.columns.map((c) => c.name).join(", ");
  const ratios: number[] = [];
  const peaks: number[] = [];
  try {
    for (let r = 0; r <= options.rounds; r++) {
      const cli = await timed("sh", [
        "-c",
        `mysql -h ${u.hostname} -P ${u.port || 3306} -u ${
          u.username || "root"
        } --batch -e "SELECT ${columns} FROM trades ORDER BY id" sluice_bench_platform > ${
          join(dir, "cli.tsv")
        }`,
      ]);
      const ours = await timed(Deno.execPath(), [
        "run",
        "--allow-all",
        new URL(import.meta.url).pathname,
        "--extract-child",
        join(dir, "ours.csv"),
      ]);
      const child = JSON.parse(ours.stdout.trim().split("\n").at(-1)!);
      if (child.rows !== options.rows) {
        throw new Error(`extracted ${child.rows} rows, not ${options.rows}`);
      }
      const ratio = ours.ms / cli.ms;
      const line = `extract ${(ours.ms / 1000).toFixed(2)} s (in-process ${
        (child.ms / 1000).toFixed(2)
      } s), mysql --batch ${(cli.ms / 1000).toFixed(2)} s, ratio ${
        ratio.toFixed(2)
      }, peak ${child.peak} MiB`;
      if (r === 0) {
        console.log(`  warm-up: ${line}`);
        continue;
      }
      console.log(`  round ${r}: ${line}`);
      ratios.push(ratio);
      peaks.push(child.peak);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const ratio = median(ratios), peak = Math.max(...peaks);
  const verdict = (ok: boolean) => (ok ? "meets goal" : "MISSES GOAL");
  return [
    `  db extract / mysql --batch        ${
      ratio.toFixed(2)
    }x  (goal <= 1.5x)   ${
      verdict(ratio <= 1.5)
    }   [${options.rows} trades, whole process incl. start-up]`,
    `  db extract peak memory             ${peak} MiB (goal < 1024 MiB)  ${
      verdict(peak < 1024)
    }`,
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      trades: { type: "string", default: "1000000" },
      rounds: { type: "string", default: "3" },
      "extract-child": { type: "string" },
    },
  });
  if (values["extract-child"]) {
    await child(benchUrl(), values["extract-child"]);
  } else {
    for (
      const line of await platformBench({
        rows: Number(values.trades),
        rounds: Number(values.rounds),
      })
    ) console.log(line);
  }
}
