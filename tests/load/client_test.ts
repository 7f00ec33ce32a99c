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

for (const kind of DATABASE_KINDS) {
  Deno.test(`SqlClient.copyToFile() streams the output into a file, twice in a row [${kind}]`, async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    const dir = await Deno.makeTempDir();
    try {
      const sql =
        "COPY (SELECT g, md5(g::text) FROM generate_series(1, 50000) g) TO STDOUT (FORMAT csv)";
      const a = await db.client.copyToFile(sql, `${dir}/a.csv`);
      const b = await db.client.copyToFile(sql, `${dir}/b.csv`);
      assert.equal(a, b);
      const text = await Deno.readTextFile(`${dir}/a.csv`);
      assert.equal(text.length, a);
      assert.equal(text.split("\n").length, 50001);
      assert.ok(text.startsWith("1,c4ca4238a0b923820dcc509a6f75849b\n"));
      const empty = await db.client.copyToFile(
        "COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT csv)",
        `${dir}/empty.csv`,
      );
      assert.equal(empty, 0);
      // Rows around and beyond the client's 1 MiB write buffer.
      const big = await db.client.copyToFile(
        "COPY (SELECT g, repeat('x', g * 300000) FROM generate_series(1, 6) g) TO STDOUT (FORMAT csv)",
        `${dir}/big.csv`,
      );
      const rows = (await Deno.readTextFile(`${dir}/big.csv`)).split("\n");
      assert.equal(big, 6300000 + 6 * 3);
      assert.deepEqual(
        rows.map((r) => r.length),
        [1, 2, 3, 4, 5, 6].map((g) => g * 300000 + 2).concat([0]),
      );
    } finally {
      await db.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const kind of DATABASE_KINDS) {
  Deno.test(`SqlClient.copyTo() of a failing query rejects and the connection stays usable [${kind}]`, async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      await assert.rejects(
        db.client.copyTo("COPY (SELECT 1/0) TO STDOUT (FORMAT csv)"),
        /division by zero/,
      );
      const { rows } = await db.client.query<{ one: number }>(
        "SELECT 1 AS one",
      );
      assert.equal(rows[0]!.one, 1);
      const out = await db.client.copyTo(
        "COPY (SELECT 7) TO STDOUT (FORMAT csv)",
      );
      assert.equal(new TextDecoder().decode(out), "7\n");
    } finally {
      await db.dispose();
    }
  });
}
