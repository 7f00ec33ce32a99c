import assert from "node:assert/strict";
import { openCatalog } from "@pipeline/snapshot/mod.ts";
import { dbTest } from "../_db.ts";
import { runInto } from "../query/_catalog.ts";
import { withHolder } from "./_holder.ts";

const COUNT = "SELECT count(*)::INT AS n FROM bars_1m";

dbTest(
  "a run succeeds while another process holds analytics.duckdb open; the holder keeps its catalogue, a new reader sees the new rows",
  async (db) => {
    const dataDir = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "sluice_reader_" }),
    );
    try {
      const first = await runInto(db.client, dataDir, {
        asOf: "2026-11-19T21:30:00Z",
        sessions: 1,
      });
      assert.equal(first.status, "succeeded", first.error ?? "");
      await withHolder(`${dataDir}/analytics.duckdb`, async (ask) => {
        const before = await ask(COUNT) as { n: number }[];
        assert.equal(before[0]!.n, first.counts.loaded);
        // The next session: new rows, a new catalogue renamed into place.
        const second = await runInto(db.client, dataDir, {
          asOf: "2026-11-20T21:30:00Z",
          sessions: 1,
        });
        assert.equal(second.status, "succeeded", second.error ?? "");
        assert.ok(second.counts.loaded > 0);
        assert.equal(second.error_stage ?? null, null);
        const total = first.counts.loaded + second.counts.loaded;
        // The holder still reads: its catalogue is the one it opened (one
        // run, the first day's files), and its views, globs over the lake,
        // read the Parquet files now on disk.
        assert.deepEqual(await ask(COUNT), [{ n: total }]);
        assert.deepEqual(
          await ask(
            "SELECT (SELECT count(*)::INT FROM etl_runs) AS runs, " +
              "(SELECT count(DISTINCT date)::INT FROM lake_files WHERE table_name = 'bars_1m') AS days",
          ),
          [{ runs: 1, days: 1 }],
        );
        const catalog = await openCatalog(dataDir);
        try {
          assert.deepEqual(
            (await catalog.conn.runAndReadAll(COUNT)).getRowObjectsJson(),
            [{ n: total }],
          );
          assert.deepEqual(
            (await catalog.conn.runAndReadAll(
              "SELECT count(*)::INT AS n FROM etl_runs WHERE status = 'succeeded'",
            )).getRowObjectsJson(),
            [{ n: 2 }],
          );
        } finally {
          catalog.close();
        }
      });
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
