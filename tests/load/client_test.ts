import assert from "node:assert/strict";
import { DATABASE_KINDS, openTestDatabase } from "../_db.ts";

for (const kind of DATABASE_KINDS) {
  Deno.test(`SqlClient.copyTo() twice in a row returns both outputs [${kind}]`, async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      const sql =
        "COPY (SELECT g, md5(g::text) FROM generate_series(1, 200000) g) TO STDOUT (FORMAT csv)";
      const a = await db.client.copyTo(sql);
      const b = await db.client.copyTo(sql);
      assert.equal(a.length, b.length);
      assert.ok(a.length > 200000 * 10);
      const { rows } = await db.client.query<{ one: number }>(
        "SELECT 1 AS one",
      );
      assert.equal(rows[0]!.one, 1);
    } finally {
      await db.dispose();
    }
  });

  Deno.test(`SqlClient.copyFrom() then query in one transaction [${kind}]`, async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      await db.client.exec("CREATE TABLE t (a int, b text)");
      const n = await db.client.transaction(async (tx) => {
        await tx.copyFrom(
          "COPY t FROM STDIN (FORMAT csv)",
          new TextEncoder().encode('1,x\n2,"y,z"\n3,\n'),
        );
        const { rows } = await tx.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM t WHERE b IS NULL",
        );
        return rows[0]!.n;
      });
      assert.equal(n, 1);
    } finally {
      await db.dispose();
    }
  });
}
