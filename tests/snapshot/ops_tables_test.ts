import assert from "node:assert/strict";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import {
  NOT_IN_CATALOG,
  openCatalog,
  OPS_TABLES,
} from "@pipeline/snapshot/mod.ts";
import { dbTest } from "../_db.ts";
import { runInto } from "../query/_catalog.ts";

dbTest(
  "after a run the catalogue holds every warehouse table: the lake's as views, the others copied as the run ended",
  async (db) => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_ops_" });
    try {
      const summary = await runInto(db.client, dataDir);
      assert.equal(summary.status, "succeeded", summary.error ?? "");
      const { rows } = await db.client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')
            AND NOT c.relispartition
          ORDER BY 1`,
      );
      const lake = lakeTables(DATASETS).map((t) => t.name);
      for (const { name } of rows) {
        assert.ok(
          lake.includes(name) || OPS_TABLES.includes(name) ||
            NOT_IN_CATALOG.includes(name),
          `warehouse table ${name} is neither a lake table, in OPS_TABLES nor in NOT_IN_CATALOG`,
        );
      }
      const catalog = await openCatalog(dataDir);
      try {
        const one = async (sql: string) =>
          (await catalog.conn.runAndReadAll(sql)).getRowObjectsJson();
        for (const table of OPS_TABLES) {
          const { rows: [pg] } = await db.client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${table}"`,
          );
          assert.deepEqual(
            await one(`SELECT count(*)::INT AS n FROM "${table}"`),
            [{ n: pg!.n }],
            table,
          );
        }
        // The run as it ended: succeeded, with its stages; no debt left.
        assert.deepEqual(
          await one(
            `SELECT run_id, status, finished_at IS NOT NULL AS finished FROM etl_runs`,
          ),
          [{ run_id: summary.run_id, status: "succeeded", finished: true }],
        );
        assert.deepEqual(
          (await one(`SELECT stage FROM etl_run_stages ORDER BY ordinal`))
            .map((r) => r.stage),
          ["extract", "validate", "transform", "quality", "load", "snapshot"],
        );
        assert.deepEqual(await one(`SELECT * FROM etl_lake_debt`), []);
        // The watermark per symbol, and the quarantine per run with reasons.
        assert.deepEqual(
          (await one(`SELECT partition FROM etl_watermarks ORDER BY 1`))
            .map((r) => r.partition),
          ["AAPL", "MSFT"],
        );
        const [q] = await one(
          `SELECT count(*)::INT AS n, count(reason)::INT AS reasons
           FROM etl_run_quarantine WHERE run_id = '${summary.run_id}'`,
        );
        assert.equal(q!.n, summary.counts.quarantined);
        assert.equal(q!.reasons, q!.n);
      } finally {
        catalog.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
