import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  loadMigrations,
  MIGRATION_FILE,
  migrationNames,
  migrationsFingerprint,
} from "@pipeline/load/migrations/mod.ts";

const FOLDER = new URL("../../../pipeline/load/migrations/", import.meta.url);

Deno.test("loadMigrations() finds every migration file of the folder, in name order, each with up()", async () => {
  const migrations = await loadMigrations();
  const names = Object.keys(migrations);
  assert.deepEqual(names.slice(0, 3), [
    "2026_11_22_0001_initial",
    "2026_11_22_0002_weather",
    "2026_11_22_0003_operations",
  ]);
  assert.ok(names.includes("2026_12_03_0010_stream_offsets"));
  assert.deepEqual(names, [...names].sort());
  for (const name of names) {
    assert.equal(typeof migrations[name]!.up, "function", name);
  }
  assert.equal(await loadMigrations(), migrations, "imported once");
});

Deno.test("every .ts file of pipeline/load/migrations/ but mod.ts is named as a migration (none is skipped silently)", async () => {
  const names = Object.keys(await loadMigrations());
  const files: string[] = [];
  for await (const e of Deno.readDir(fileURLToPath(FOLDER))) {
    if (e.isFile && e.name.endsWith(".ts") && e.name !== "mod.ts") {
      files.push(e.name);
    }
  }
  for (const file of files) {
    assert.match(
      file,
      MIGRATION_FILE,
      `${file} is not YYYY_MM_DD_NNNN_name.ts`,
    );
  }
  assert.equal(names.length, files.length);
  assert.doesNotMatch("mod.ts", MIGRATION_FILE);
  assert.doesNotMatch("2026_12_03_0011_eod_bars_test.ts.bak", MIGRATION_FILE);
});

Deno.test("migrationNames() lists the names loadMigrations() imports, without importing; migrationsFingerprint() is stable", async () => {
  assert.deepEqual(
    await migrationNames(),
    Object.keys(await loadMigrations()),
  );
  const fingerprint = await migrationsFingerprint();
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(await migrationsFingerprint(), fingerprint);
});
