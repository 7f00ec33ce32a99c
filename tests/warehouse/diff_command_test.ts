/**
 * The reference loads and `etl diff` as a user runs them: real processes
 * over three reference files, then diffs of their daily snapshots.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { DATABASE_KINDS, openTestDatabase } from "../_db.ts";
import { main } from "@pipeline/main.ts";
import { LOADS, T1, T2, T3 } from "./_symbols.ts";
import { SYMBOL_REF_FIELDS } from "@pipeline/symbols.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import { spawnEtl } from "../ops/_process.ts";

/** Runs pipeline/main.ts in a fresh process with only the given environment. */
async function etl(args: string[], env: Record<string, string> = {}) {
  return await spawnEtl(args, { env }).done;
}

for (const kind of DATABASE_KINDS) {
  Deno.test(
    `etl --dataset symbols loads three references and etl diff reports their snapshots exactly [${kind}]`,
    async (t) => {
      const dir = await Deno.makeTempDir({ prefix: "sluice_cli_symbols_" });
      const db = kind === "postgres"
        ? await openTestDatabase("postgres", { migrate: false })
        : undefined;
      const env: Record<string, string> = db?.url
        ? { DATABASE_URL: db.url }
        : {};
      const common = ["--data-dir", dir];
      try {
        const times = [T1, T2, T3];
        const summaries: RunSummary[] = [];
        for (const [i, rows] of LOADS.entries()) {
          const input = `${dir}/refs${i + 1}.csv`;
          pl.DataFrame(
            SYMBOL_REF_FIELDS.map((f) =>
              pl.Series(f, rows.map((r) => r[f]), pl.Utf8)
            ),
          ).writeCSV(input);
          const r = await etl([
            "--source",
            "file",
            "--dataset",
            "symbols",
            "--input",
            input,
            "--as-of",
            times[i]!.toISOString(),
            "--json",
            ...common,
          ], env);
          assert.equal(r.code, 0, r.stderr);
          summaries.push(JSON.parse(r.stdout));
        }
        await t.step("each load reports versions opened and closed", () => {
          assert.deepEqual(
            summaries.map((s) => [s.pipeline, s.status, s.tables]),
            [[3, 0, 0], [2, 1, 2], [0, 1, 3]].map(([ins, upd, unch], i) => [
              "file-symbols",
              "succeeded",
              [{
                table: "dim_symbol",
                rows: LOADS[i]!.length,
                inserted: ins,
                updated: upd,
                unchanged: unch,
              }],
            ]),
          );
          assert.deepEqual(summaries[2]?.snapshot?.dates, ["2026-11-22"]);
        });
        await t.step(
          "diff --json gives the keys of two snapshots",
          async () => {
            const r = await etl([
              "diff",
              "--table",
              "symbols_ref",
              "--from",
              "2026-11-20",
              "--to",
              "2026-11-21",
              "--json",
              ...common,
            ], env);
            assert.equal(r.code, 0, r.stderr);
            const diff = JSON.parse(r.stdout);
            assert.deepEqual(
              [diff.counts, diff.inserted, diff.updated, diff.deleted],
              [
                { inserted: 1, updated: 1, deleted: 0 },
                [{ symbol: "D" }],
                [{ symbol: "B" }],
                [],
              ],
            );
          },
        );
        await t.step("diff prints counts and keys", async () => {
          const r = await etl([
            "diff",
            "--table",
            "symbols_ref",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-22",
            ...common,
          ], env);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(r.stdout.split("\n").slice(0, 5), [
            "symbols_ref 2026-11-20 -> 2026-11-22 (key symbol; compared name, exchange, currency, sector)",
            "  1 inserted, 1 updated, 1 deleted",
            "  + symbol=D",
            "  ~ symbol=B",
            "  - symbol=C",
          ]);
          assert.match(
            r.stdout,
            /recorded in etl_snapshot_diffs \(run [0-9a-f-]{36}\)/,
          );
        });
        await t.step(
          "diff exits 2 naming a missing date or table",
          async () => {
            const dbFlag = db?.url ? ["--database-url", db.url] : [];
            const usage: string[][] = [
              [
                "--table",
                "symbols_ref",
                "--from",
                "2026-11-19",
                "--to",
                "2026-11-21",
              ],
              ["--table", "nope", "--from", "2026-11-20", "--to", "2026-11-21"],
              ["--table", "symbols_ref", "--from", "2026-11-20"],
              [
                "--table",
                "symbols_ref",
                "--from",
                "2026-11-20",
                "--to",
                "2026-11-21",
                "--key",
                "ticker",
              ],
            ];
            for (const args of usage) {
              assert.equal(
                await main(["diff", ...args, ...common, ...dbFlag]),
                2,
                args.join(" "),
              );
            }
          },
        );
      } finally {
        await db?.dispose();
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}

Deno.test("etl help documents --dataset and the diff command; --dataset symbols needs a reference source", async () => {
  const help = await etl(["--help"]);
  assert.match(help.stdout, /diff +compare two daily snapshots/);
  assert.match(
    help.stdout,
    /--dataset NAME +bars \| weather \| symbols \| eod \| price_volume:/,
  );
  const diff = await etl(["help", "diff"]);
  assert.match(
    diff.stdout,
    /--table NAME[\s\S]*--from DATE[\s\S]*--to DATE[\s\S]*--key A,B[\s\S]*--json/,
  );
  const bad = await etl(["--source", "finnhub", "--dataset", "symbols"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(
    bad.stderr,
    /--source finnhub cannot deliver --dataset symbols; it delivers bars \(symbols comes from --source synthetic, file\)/,
  );
  assert.equal(await main(["diff", "--symbols", "AAPL"]), 2);
});
