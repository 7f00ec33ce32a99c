import assert from "node:assert/strict";
import { join } from "node:path";
import { connectPglite } from "@pipeline/load/client.ts";
import { seedPglite } from "@pipeline/load/pglite_template.ts";

Deno.test("seedPglite() builds the template once, then makes each new directory a copy of it", async () => {
  const root = await Deno.makeTempDir({ prefix: "sluice-template-" });
  try {
    const cacheDir = join(root, "cache");
    let prepared = 0;
    const options = {
      cacheDir,
      key: "test",
      prepare: async (client: import("@pipeline/load/client.ts").SqlClient) => {
        prepared++;
        await client.exec(
          "CREATE TABLE made_by_prepare (a int); INSERT INTO made_by_prepare VALUES (7)",
        );
      },
    };
    assert.equal(await seedPglite(join(root, "a"), options), "built");
    assert.equal(await seedPglite(join(root, "b"), options), "copied");
    assert.equal(prepared, 1);
    // A directory that holds a database is left as it is.
    assert.equal(await seedPglite(join(root, "b"), options), "existing");
    // No half-built template or half-copied directory stays behind.
    const cached = [...Deno.readDirSync(cacheDir)].map((e) => e.name);
    assert.equal(cached.length, 1);
    assert.match(cached[0]!, /^pglite-[\w.-]+-test-one-db$/);
    assert.deepEqual(
      [...Deno.readDirSync(root)].map((e) => e.name).sort(),
      ["a", "b", "cache"],
    );
    // Each copy is a database of its own holding what prepare made.
    for (const dir of ["a", "b"]) {
      const client = await connectPglite(join(root, dir));
      try {
        await client.exec(`INSERT INTO made_by_prepare VALUES (${dir.length})`);
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM made_by_prepare",
        );
        assert.equal(rows[0]!.n, 2);
        // Only the database PGlite opens: initdb's templates are not copied.
        const dbs = await client.query<{ datname: string }>(
          "SELECT datname FROM pg_database ORDER BY 1",
        );
        assert.deepEqual(dbs.rows.map((r) => r.datname), ["postgres"]);
      } finally {
        await client.close();
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("seedPglite() of another key builds another template", async () => {
  const root = await Deno.makeTempDir({ prefix: "sluice-template-" });
  try {
    const cacheDir = join(root, "cache");
    assert.equal(
      await seedPglite(join(root, "a"), { cacheDir, key: "one" }),
      "built",
    );
    assert.equal(
      await seedPglite(join(root, "b"), { cacheDir, key: "two" }),
      "built",
    );
    assert.equal([...Deno.readDirSync(cacheDir)].length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("seedPglite() removes a killed process's unfinished template build before it builds", async () => {
  const root = await Deno.makeTempDir({ prefix: "sluice-template-" });
  try {
    const cacheDir = join(root, "cache");
    // pid 2^22 + 1 is above Linux's largest: no process has it.
    const dead = join(cacheDir, "pglite-x-old.building-4194305-0000");
    const live = join(cacheDir, `pglite-x-old.building-${Deno.pid}-0000`);
    for (const dir of [dead, live]) {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(join(dir, "PG_VERSION"), "17");
    }
    assert.equal(
      await seedPglite(join(root, "a"), { cacheDir, key: "k" }),
      "built",
    );
    const names = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
    assert.deepEqual(names.length, 2, names.join(", "));
    assert.ok(names.includes(`pglite-x-old.building-${Deno.pid}-0000`));
    assert.ok(!names.includes("pglite-x-old.building-4194305-0000"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
