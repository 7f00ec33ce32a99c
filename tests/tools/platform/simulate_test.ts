/**
 * The simulator is deterministic for a seed, and continuing day by day
 * (later --as-of) gives the database of one run over the same days.
 */
import assert from "node:assert/strict";
import type { Connection } from "mysql2/promise";
import { skipWithoutMariadb } from "../../_requires.ts";
import {
  createTestPlatform,
  generateDays,
} from "../../datasets/platform/_platform.ts";

const ignore = await skipWithoutMariadb();

async function contents(conn: Connection): Promise<string> {
  const out: unknown[] = [];
  for (const t of ["accounts", "stocks", "orders", "trades", "sim_pending"]) {
    const [rows] = await conn.query(`SELECT * FROM ${t} ORDER BY 1`);
    out.push(rows);
  }
  return JSON.stringify(out);
}

Deno.test({
  name: "platform generate: same seed, same database; day by day = all at once",
  ignore,
  async fn() {
    const a = await createTestPlatform();
    const b = await createTestPlatform();
    const c = await createTestPlatform();
    try {
      await generateDays(a, "2026-11-19T23:00:00Z", 3);
      await generateDays(b, "2026-11-19T23:00:00Z", 3);
      for (const d of ["17", "18", "19"]) {
        await generateDays(c, `2026-11-${d}T23:00:00Z`);
      }
      const [ca, cb, cc] = [
        await contents(a.conn),
        await contents(b.conn),
        await contents(c.conn),
      ];
      assert.ok(ca.length > 10_000);
      assert.equal(cb, ca);
      assert.equal(cc, ca);
      // Going back in time is refused.
      await assert.rejects(
        generateDays(a, "2026-11-18T00:00:00Z"),
        /would go back in time/,
      );
    } finally {
      await a.dispose();
      await b.dispose();
      await c.dispose();
    }
  },
});
