/**
 * SIGKILL during an extract, then a re-run: the warehouse is exactly the
 * platform, and the lake keeps only the files of committed captures.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { skipWithoutMariadb } from "../../_requires.ts";
import { openTestDatabase, SKIP_SERVER_TESTS } from "../../_db.ts";
import {
  accountOf,
  capture,
  createTestPlatform,
  generateDays,
  ORDER_SOURCE_SQL,
  ORDER_WAREHOUSE_SQL,
  orderOfSource,
  orderOfWarehouse,
  sourceLines,
  stockOf,
  TRADE_SOURCE_SQL,
  TRADE_WAREHOUSE_SQL,
  tradeOfSource,
  tradeOfWarehouse,
  warehouseLines,
} from "./_platform.ts";

const ignore = SKIP_SERVER_TESTS || await skipWithoutMariadb();
const MAIN = new URL("../../../pipeline/main.ts", import.meta.url).pathname;

async function parquetFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".parquet")) out.push(p);
    }
  };
  await walk(dir).catch(() => {});
  return out.sort();
}

Deno.test({
  name: "SIGKILL during a database extract, then a re-run: exact",
  ignore,
  async fn() {
    const platform = await createTestPlatform();
    const db = await openTestDatabase("postgres");
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_platform_" });
    try {
      await generateDays(platform, "2026-11-17T23:00:00Z");
      await capture(platform, db.client, {
        dataDir,
        asOf: new Date("2026-11-17T23:00:00Z"),
      });
      const { rows: [before] } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM fact_trades",
      );
      await generateDays(platform, "2026-11-18T23:00:00Z");

      // One row a page: the extract takes thousands of queries; killed as
      // soon as it reports its first table.
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          MAIN,
          "--source",
          "mysql",
          "--mysql-url",
          platform.url,
          "--database-url",
          db.url!,
          "--data-dir",
          dataDir,
          "--as-of",
          "2026-11-18T23:00:00Z",
          "--page-size",
          "1",
        ],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const seen: string[] = [];
      let buffer = "";
      read: for await (
        const text of child.stderr.pipeThrough(new TextDecoderStream())
      ) {
        buffer += text;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          seen.push(line);
          if (line.startsWith("extract: platform_stocks")) {
            child.kill("SIGKILL");
            break read;
          }
        }
      }
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL", seen.join("\n"));

      // Nothing of the killed capture is in the warehouse.
      const { rows: [after] } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM fact_trades",
      );
      assert.equal(after?.n, before?.n);
      const { rows: [extracts] } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM etl_db_extracts WHERE as_of > '2026-11-18'",
      );
      assert.equal(extracts?.n, 0);

      // The re-run: exact.
      const report = await capture(platform, db.client, {
        dataDir,
        asOf: new Date("2026-11-18T23:00:00Z"),
      });
      assert.deepEqual(
        await warehouseLines(db.client, TRADE_WAREHOUSE_SQL, tradeOfWarehouse),
        await sourceLines(platform.conn, TRADE_SOURCE_SQL, tradeOfSource),
      );
      assert.deepEqual(
        await warehouseLines(db.client, ORDER_WAREHOUSE_SQL, orderOfWarehouse),
        await sourceLines(platform.conn, ORDER_SOURCE_SQL, orderOfSource),
      );
      assert.deepEqual(
        await warehouseLines(
          db.client,
          "SELECT * FROM dim_account WHERE is_current",
          accountOf,
        ),
        await sourceLines(platform.conn, "SELECT * FROM accounts", accountOf),
      );
      assert.deepEqual(
        await warehouseLines(
          db.client,
          "SELECT * FROM dim_stock WHERE is_current",
          stockOf,
        ),
        await sourceLines(platform.conn, "SELECT * FROM stocks", stockOf),
      );
      assert.equal(
        report.tables.find((t) => t.dataset === "platform_accounts")?.method,
        "diff",
      );
      // The lake holds exactly the files the committed captures recorded.
      const { rows } = await db.client.query<{ lake_path: string }>(
        "SELECT lake_path FROM etl_db_extracts ORDER BY lake_path",
      );
      assert.deepEqual(
        await parquetFiles(join(dataDir, "lake")),
        rows.map((r) => r.lake_path).sort(),
      );
    } finally {
      await db.dispose();
      await platform.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
