/**
 * `resetDataset()` empties a dataset's state tables with its resource: the
 * price-volume join's sides (pending ones too) and its unmatched sides.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { priceVolumeJoin } from "@pipeline/datasets/price_volume/mod.ts";
import { resetDataset } from "@pipeline/incremental/reset.ts";
import type { SqlClient } from "@pipeline/load/client.ts";

const TABLES = ["price_volume", "price_volume_sides", "price_volume_unmatched"];

async function counts(client: SqlClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${t}`,
    );
    out[t] = rows[0]!.n;
  }
  return out;
}

dbTest(
  "reset price_volume empties the join's pairs, sides and unmatched sides",
  async (db) => {
    const ts = (m: number) => new Date(Date.UTC(2026, 10, 20, 15, m));
    const sides = pl.DataFrame({
      symbol: ["AAPL", "AAPL", "MSFT"],
      ts: [ts(0), ts(0), ts(1)],
      side: ["prices", "volumes", "prices"],
      value: [190.5, 1200, 410.25],
    }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
    // Waits 0 ms: MSFT's price, without a volume, is unmatched at once.
    const dataset = priceVolumeJoin({ waitMs: 0 });
    await db.client.transaction((tx) =>
      dataset.load(tx, { sides }, { loadId: crypto.randomUUID() })
    );
    assert.deepEqual(await counts(db.client), {
      price_volume: 1,
      price_volume_sides: 3,
      price_volume_unmatched: 1,
    });
    const dataDir = await Deno.makeTempDir();
    try {
      const report = await resetDataset(db.client, dataset, {
        dataDir,
        now: new Date(),
      });
      assert.deepEqual(
        report.tables.map((t) => `${t.table} ${t.rows}`).sort(),
        [
          "price_volume 1",
          "price_volume_sides 3",
          "price_volume_unmatched 1",
        ],
      );
      assert.deepEqual(await counts(db.client), {
        price_volume: 0,
        price_volume_sides: 0,
        price_volume_unmatched: 0,
      });
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
