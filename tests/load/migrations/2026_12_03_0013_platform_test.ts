import assert from "node:assert/strict";
import { openTestDatabase } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrator } from "./_migrator.ts";

const LOAD = "6f1c2b1e-8a40-4c55-9d1a-2b1f0d9e7a11";
const TABLES = [
  "dim_account",
  "dim_stock",
  "fact_orders",
  "fact_trades",
  "etl_db_extracts",
  "etl_db_watermarks",
];

async function tables(client: SqlClient): Promise<string[]> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
     WHERE table_name = ANY($1::text[]) ORDER BY 1`,
    [TABLES],
  );
  return rows.map((r) => r.t);
}

Deno.test("migration 0013 creates the platform's facts, dimensions and capture log; one current version per key; down drops them", async () => {
  const db = await openTestDatabase("pglite", { migrate: false });
  try {
    const up = await migrator(db.client).migrateTo("2026_12_03_0013_platform");
    assert.equal(up.error, undefined);
    assert.deepEqual(await tables(db.client), [...TABLES].sort());
    const version = (id: string, from: string) =>
      db.client.query(
        `INSERT INTO dim_account (account_id, name, email, tier, country,
           row_hash, valid_from, valid_to, is_current, load_id)
         VALUES ($1, 'n', 'e', 'basic', 'US', 'h', $2, NULL, true, $3)`,
        [id, from, LOAD],
      );
    await version("1", "2026-11-17T23:00:00Z");
    await assert.rejects(version("1", "2026-11-18T23:00:00Z"), /unique/i);
    await assert.rejects(
      db.client.query(
        `INSERT INTO dim_account (account_id, row_hash, valid_from, valid_to,
           is_current, load_id)
         VALUES ('2', 'h', '2026-11-18Z', '2026-11-17Z', false, $1)`,
        [LOAD],
      ),
      /check/i,
    );
    const down = await migrator(db.client).migrateTo(
      "2026_12_03_0011_eod_bars",
    );
    assert.equal(down.error, undefined);
    assert.deepEqual(await tables(db.client), []);
  } finally {
    await db.dispose();
  }
});
