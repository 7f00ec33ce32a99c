import assert from "node:assert/strict";
import { DATASETS, lakeTables } from "@pipeline/datasets/mod.ts";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  copyOpsTables,
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

dbTest(
  "copyOpsTables() replaces a table or a view of the catalogue and counts the rows it copied",
  async (db) => {
    const stagingDir = await Deno.makeTempDir({ prefix: "sluice_ops_" });
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      await db.client.exec(
        `CREATE TABLE ops_full (id int PRIMARY KEY, note text);
         INSERT INTO ops_full VALUES (2, 'b'), (1, 'a, "quoted"'), (3, NULL);
         CREATE TABLE ops_empty (id int PRIMARY KEY)`,
      );
      // What an older catalogue may hold under those names.
      await conn.run(
        `CREATE VIEW ops_full AS SELECT 42 AS id;
         CREATE TABLE ops_empty (id INTEGER); INSERT INTO ops_empty VALUES (9)`,
      );
      const copied = await copyOpsTables({
        client: db.client,
        conn,
        stagingDir,
        tables: ["ops_full", "ops_empty"],
      });
      assert.deepEqual(
        [...copied],
        [["ops_full", 3], ["ops_empty", 0]],
      );
      assert.deepEqual(
        (await conn.runAndReadAll("SELECT id, note FROM ops_full ORDER BY id"))
          .getRowsJS(),
        [[1, 'a, "quoted"'], [2, "b"], [3, null]],
      );
      assert.deepEqual(
        (await conn.runAndReadAll("SELECT count(*)::INT FROM ops_empty"))
          .getRowsJS(),
        [[0]],
      );
      // No staging file stays behind.
      assert.deepEqual([...Deno.readDirSync(stagingDir)], []);
    } finally {
      conn.closeSync();
      instance.closeSync();
      await Deno.remove(stagingDir, { recursive: true });
    }
  },
);
