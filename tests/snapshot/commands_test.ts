/**
 * The CLI and the lake debt, in process on PGlite: a `--no-snapshot` run
 * leaves it, `retention` pays it before its own work, and `etl snapshot`
 * with nothing owed exits 0 having written nothing.
 */
import assert from "node:assert/strict";
import { main } from "@pipeline/main.ts";
import { connect } from "@pipeline/load/client.ts";
import { readLakeDebt } from "@pipeline/snapshot/debt.ts";
import { assertLakeEqualsWarehouse } from "./_lake_equal.ts";

const RUN = [
  "run",
  "--symbols",
  "AAPL,MSFT",
  "--sessions",
  "2",
  "--as-of",
  "2026-11-20T21:30:00Z",
  "--log-format",
  "json",
];

async function owed(dataDir: string) {
  const client = await connect({
    kind: "pglite",
    dataDir: `${dataDir}/pglite`,
  });
  try {
    return (await readLakeDebt(client)).length;
  } finally {
    await client.close();
  }
}

Deno.test({
  name:
    "etl run --no-snapshot leaves the lake debt; etl retention pays it first; etl snapshot then has nothing to do",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // In process, main() would take DATABASE_URL (set in CI) and load the
    // server's default database: this test is about the PGlite directory.
    const serverUrl = Deno.env.get("DATABASE_URL");
    Deno.env.delete("DATABASE_URL");
    const dataDir = await Deno.makeTempDir({ prefix: "sluice-debtcli-" });
    const at = ["--data-dir", dataDir];
    try {
      assert.equal(await main([...RUN, "--no-snapshot", ...at]), 0);
      // bars_1m, bars_5m, bars_1h: 2 days each; bars_1d: 1 month; quarantine.
      assert.equal(await owed(dataDir), 8);
      assert.equal(
        await main(["retention", "--dry-run", "--log-format", "json", ...at]),
        0,
      );
      assert.equal(await owed(dataDir), 0);
      assert.equal(await main(["snapshot", "--log-format", "json", ...at]), 0);
      const client = await connect({
        kind: "pglite",
        dataDir: `${dataDir}/pglite`,
      });
      try {
        await assertLakeEqualsWarehouse(client, dataDir);
      } finally {
        await client.close();
      }
    } finally {
      if (serverUrl !== undefined) Deno.env.set("DATABASE_URL", serverUrl);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
