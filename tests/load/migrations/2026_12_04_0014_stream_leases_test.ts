import assert from "node:assert/strict";
import { openTestDatabase } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrator } from "./_migrator.ts";

async function hasLeases(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM information_schema.tables
     WHERE table_name = 'etl_stream_leases'`,
  );
  return rows.length === 1;
}

Deno.test("migration 0014 creates etl_stream_leases, one lease per holder and an ordered range; down drops it", async () => {
  const db = await openTestDatabase("pglite", { migrate: false });
  try {
    const up = await migrator(db.client).migrateTo(
      "2026_12_04_0014_stream_leases",
    );
    assert.equal(up.error, undefined);
    assert.equal(await hasLeases(db.client), true);
    const lease = (holder: string, first: number, last: number) =>
      db.client.query(
        `INSERT INTO etl_stream_leases
           (stream, consumer, holder, first_seq, last_seq, renewed_at)
         VALUES ('S_RAW', 'c', $1, $2, $3, now())`,
        [holder, first, last],
      );
    await lease("a", 1, 10);
    await assert.rejects(lease("a", 11, 20), /unique|duplicate/i);
    await assert.rejects(lease("b", 20, 11), /check/i);
    const down = await migrator(db.client).migrateTo(
      "2026_12_03_0013_platform",
    );
    assert.equal(down.error, undefined);
    assert.equal(await hasLeases(db.client), false);
  } finally {
    await db.dispose();
  }
});
