import assert from "node:assert/strict";
import { connectPglite } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { migrationNames } from "@pipeline/load/migrations/mod.ts";
import { EtlError } from "@pipeline/errors.ts";

Deno.test("migrateToLatest() applies every migration once; up to date, it applies none; an unknown applied migration is reported, not passed over", async () => {
  const client = await connectPglite();
  try {
    const names = await migrationNames();
    assert.deepEqual((await migrateToLatest(client)).applied, names);
    assert.deepEqual((await migrateToLatest(client)).applied, []);
    // A database migrated by a newer version lists one this one lacks: the
    // one-query check does not take it as up to date, the Migrator says so.
    await client.exec(
      `INSERT INTO etl_migrations (name, timestamp)
       VALUES ('2999_01_01_0001_from_the_future', now()::text)`,
    );
    await assert.rejects(
      () => migrateToLatest(client),
      (err) => err instanceof EtlError && /failed/.test(err.message),
    );
  } finally {
    await client.close();
  }
});
