/**
 * Schema evolution through whole runs: a new source field becomes a
 * nullable column through a recorded migration, a declared widening is
 * applied and recorded, any other type change is refused, never silent.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { dbTest, type TestDatabase } from "../_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";

const clock = fixedClock("2026-11-21T00:00:00Z");

/** A bar CSV of three minutes with one more column, `header`. */
async function barFile(
  dir: string,
  name: string,
  header: string,
  values: string[],
) {
  const lines = ["symbol,ts,open,high,low,close,volume," + header];
  values.forEach((v, i) => {
    const ts = new Date(Date.UTC(2026, 10, 20, 14, 30 + i)).toISOString();
    lines.push(`AAPL,${ts},10,11,9,10.5,100,${v}`);
  });
  const path = join(dir, name);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

async function loadFile(db: TestDatabase, dir: string, input: string) {
  const cfg = parseRunConfig({ source: "file", input, dataDir: dir });
  return await runPipeline(await sourceFor(cfg, { clock }), {
    dataDir: dir,
    snapshot: false,
  }, { client: db.client, clock });
}

dbTest(
  "a new source field is added as a nullable column (recorded), widened when declared safe, refused when its type changes",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const ints = await barFile(dir, "a.csv", "Trade Count", ["5", "6", ""]);
    const first = await loadFile(db, dir, ints);
    assert.equal(first.status, "succeeded", first.error ?? "");
    const col = async () =>
      (await db.client.query<{ data_type: string; is_nullable: string }>(
        `SELECT data_type, is_nullable FROM information_schema.columns
         WHERE table_name = 'bars_1m' AND column_name = 'trade_count'`,
      )).rows[0];
    assert.deepEqual(await col(), { data_type: "bigint", is_nullable: "YES" });
    const values = async () =>
      (await db.client.query<{ v: number | null }>(
        `SELECT trade_count::float8 AS v FROM bars_1m ORDER BY ts`,
      )).rows.map((r) => r.v);
    assert.deepEqual(await values(), [5, 6, null]);

    const decimals = await barFile(dir, "b.csv", "trade_count", [
      "5",
      "6.5",
      "7",
    ]);
    const second = await loadFile(db, dir, decimals);
    assert.equal(second.status, "succeeded", second.error ?? "");
    assert.equal((await col())!.data_type, "double precision");
    assert.deepEqual(await values(), [5, 6.5, 7]);

    const text = await barFile(dir, "c.csv", "trade_count", ["x", "y", "z"]);
    const third = await loadFile(db, dir, text);
    assert.equal(third.status, "failed");
    assert.equal(third.error_stage, "load");
    assert.match(
      third.error ?? "",
      /column trade_count is double precision, but the source now sends text: refused/,
    );
    assert.deepEqual(
      await values(),
      [5, 6.5, 7],
      "nothing of the refused load",
    );

    const { rows } = await db.client.query(
      `SELECT column_name, change, old_type, new_type, source
       FROM etl_schema_changes ORDER BY id`,
    );
    assert.deepEqual(rows, [
      {
        column_name: "trade_count",
        change: "add_column",
        old_type: null,
        new_type: "bigint",
        source: "file",
      },
      {
        column_name: "trade_count",
        change: "widen",
        old_type: "bigint",
        new_type: "double precision",
        source: "file",
      },
    ]);
    await Deno.remove(dir, { recursive: true });
  },
);

dbTest(
  "a source field named like a derived column is refused with a clear error",
  async (db) => {
    const dir = await Deno.makeTempDir();
    const input = await barFile(dir, "v.csv", "VWAP", ["1", "2", "3"]);
    const run = await loadFile(db, dir, input);
    assert.equal(run.status, "failed");
    assert.match(
      run.error ?? "",
      /source field vwap collides with the column vwap/,
    );
    await Deno.remove(dir, { recursive: true });
  },
);
