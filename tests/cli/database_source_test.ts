import assert from "node:assert/strict";
import {
  isDatabaseSource,
  runDatabaseSource,
  selectTables,
} from "@pipeline/cli/database_source.ts";
import { TABLE_DATASET_LIST } from "@pipeline/datasets/registry.ts";

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
