import assert from "node:assert/strict";
import {
  isDatabaseSource,
  runDatabaseSource,
  selectTables,
} from "@pipeline/cli/database_source.ts";
import { TABLE_DATASET_LIST } from "@pipeline/datasets/registry.ts";
import { runLockKey, tryAdvisoryLock } from "@pipeline/ops/lock.ts";
import { openTestDatabase, SKIP_SERVER_TESTS } from "../_db.ts";
import { skipWithoutMariadb } from "../_requires.ts";
import {
  createTestPlatform,
  generateDays,
} from "../datasets/platform/_platform.ts";

Deno.test("isDatabaseSource(): --source mysql|postgres, in both spellings", () => {
  assert.equal(isDatabaseSource(["--source", "mysql"]), true);
  assert.equal(isDatabaseSource(["run", "--source=postgres"]), true);
  assert.equal(isDatabaseSource(["--source", "synthetic"]), false);
  assert.equal(isDatabaseSource([]), false);
});

Deno.test("selectTables(): by source table or dataset name, in load order", () => {
  assert.deepEqual(selectTables(undefined), [...TABLE_DATASET_LIST]);
  assert.deepEqual(
    selectTables("trades,platform_stocks").map((d) => d.name),
    ["platform_stocks", "platform_trades"],
  );
  assert.throws(() => selectTables("trades,nope"), /unknown table nope/);
});

Deno.test("--source mysql with bad flags exits 2 before connecting", async () => {
  assert.equal(
    await runDatabaseSource(["--source", "mysql", "--tables", "x"]),
    2,
  );
  assert.equal(
    await runDatabaseSource(["--source", "mysql", "--as-of", "yesterday"]),
    2,
  );
  assert.equal(await runDatabaseSource(["--source", "mysql", "--bogus"]), 2);
});

Deno.test({
  name:
    "--source mysql exits 3 while another capture of mysql holds the run lock, and runs once it is free",
  ignore: SKIP_SERVER_TESTS || await skipWithoutMariadb(),
  async fn() {
    const platform = await createTestPlatform();
    const db = await openTestDatabase("postgres");
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_lock_" });
    const argv = [
      "--source",
      "mysql",
      "--mysql-url",
      platform.url,
      "--database-url",
      db.url!,
      "--data-dir",
      dataDir,
      "--as-of",
      "2026-11-17T23:00:00Z",
    ];
    try {
      await generateDays(platform, "2026-11-17T23:00:00Z");
      const held = await tryAdvisoryLock(db.client, runLockKey("mysql"));
      assert.ok(held);
      assert.equal(await runDatabaseSource(argv), 3);
      const { rows: [none] } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM fact_trades",
      ).catch(() => ({ rows: [{ n: 0 }] }));
      assert.equal(none!.n, 0, "the refused capture loaded nothing");
      await held.release();
      assert.equal(await runDatabaseSource(argv), 0);
      const { rows: [some] } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM fact_trades",
      );
      assert.ok(some!.n > 0);
    } finally {
      await db.dispose();
      await platform.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
