import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { dbTest, type TestDatabase } from "../_db.ts";
import { bars, placement } from "./_fixtures.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { BARS_1M } from "@pipeline/load/bars.ts";
import { BARS_COLUMNS } from "@pipeline/transform/bars.ts";
import { upsertFrame } from "@pipeline/load/upsert.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { listPartitions } from "@pipeline/warehouse/partitions.ts";
import {
  applyRetention,
  type RetentionOptions,
  type RetentionStep,
} from "@pipeline/warehouse/retention.ts";

const NOW = fixedClock("2026-11-20T21:00:00Z");
const DAY = 86_400_000;
const TIMES = [
  "2026-08-03T14:30:00Z",
  "2026-08-31T23:59:00Z",
  "2026-09-01T00:00:00Z",
  "2026-09-15T15:00:00Z",
  "2026-11-19T14:30:00Z",
];

/** bars_1m with rows in August, September and November 2026, and a stray. */
async function seed(client: SqlClient): Promise<void> {
  await client.transaction((tx) =>
    upsertFrame(tx, BARS_1M, bars(["AAPL", "MSFT"], TIMES), {
      loadId: crypto.randomUUID(),
    })
  );
  // Before every partition: lands in (and stays in) the DEFAULT partition.
  await client.exec(
    `INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, load_id)
     VALUES ('AAPL', '2020-01-02T15:00:00Z', 1, 1, 1, 1, 1, gen_random_uuid())`,
  );
}

const COLUMNS = [...BARS_COLUMNS, "load_id"];

/** Rows as text tuples (ts as epoch ms), comparable across Postgres and DuckDB. */
const tuple = (r: Record<string, unknown>) =>
  COLUMNS.map((c) => {
    const v = r[c];
    return v === null
      ? "null"
      : v instanceof Date
      ? String(v.getTime())
      : String(v);
  }).join("|");

async function pgRows(client: SqlClient, where: string): Promise<string[]> {
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT ${COLUMNS.join(", ")} FROM bars_1m WHERE ${where}`,
  );
  return rows.map(tuple).sort();
}

/** The lake's bars_1m rows through the analytics.duckdb view. */
async function lakeRows(dataDir: string): Promise<string[]> {
  const duck = await DuckDBInstance.create(`${dataDir}/analytics.duckdb`, {
    access_mode: "READ_ONLY",
  });
  const conn = await duck.connect();
  try {
    await conn.run(`SET file_search_path = '${dataDir}'`);
    const reader = await conn.runAndReadAll(
      `SELECT * REPLACE (epoch_ms(ts) AS ts) FROM bars_1m`,
    );
    return (reader.getRowObjectsJS() as Record<string, unknown>[]).map(tuple)
      .sort();
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

const names = async (client: SqlClient) =>
  (await listPartitions(client, "bars_1m")).map((p) => p.name);

async function withLake(
  db: TestDatabase,
  fn: (dataDir: string) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "sluice-retention-" });
  try {
    await seed(db.client);
    await fn(dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

const OLD = "ts < '2026-10-01T00:00:00Z' AND ts >= '2026-01-01T00:00:00Z'";

dbTest(
  "applyRetention() exports old partitions to the lake, then detaches and drops them",
  (db) =>
    withLake(db, async (dataDir) => {
      await db.client.exec(
        "UPDATE etl_partitioning SET retention = '45 days' WHERE table_name = 'bars_1m'",
      );
      const archived = await pgRows(db.client, OLD);
      assert.equal(archived.length, 8);
      const result = await applyRetention({
        client: db.client,
        dataDir,
        clock: NOW,
        runId: "00000000-0000-4000-8000-000000000001",
      });
      assert.deepEqual(result.errors, []);
      const bars1m = result.tables.find((t) => t.table === "bars_1m")!;
      assert.equal(bars1m.retention, "45 days");
      assert.equal(bars1m.horizon?.toISOString(), "2026-10-06T21:00:00.000Z");
      assert.deepEqual(
        bars1m.partitions.map((p) => [p.partition, p.rows, p.action]),
        [["bars_1m_p2026_08", 4, "archived"], [
          "bars_1m_p2026_09",
          4,
          "archived",
        ]],
      );
      assert.deepEqual(
        bars1m.partitions[0]!.files.map((f) => f.slice(dataDir.length + 1)),
        [
          "lake/bars_1m/date=2026-08-03/data_0.parquet",
          "lake/bars_1m/date=2026-08-31/data_0.parquet",
        ],
      );
      // Other tables have no retention configured: untouched.
      for (const t of result.tables.filter((t) => t.table !== "bars_1m")) {
        assert.deepEqual([t.retention, t.partitions], [null, []]);
      }
      // The Parquet rows are the dropped rows; Postgres keeps the rest.
      assert.deepEqual(await lakeRows(dataDir), archived);
      assert.deepEqual(await pgRows(db.client, OLD), []);
      assert.deepEqual(await placement(db.client, "bars_1m"), {
        bars_1m_default: 1,
        bars_1m_p2026_11: 2,
      });
      assert.deepEqual(await names(db.client), [
        "bars_1m_p2026_10",
        "bars_1m_p2026_11",
        "bars_1m_p2026_12",
        "bars_1m_default",
      ]);
      const { rows: gone } = await db.client.query(
        "SELECT to_regclass('bars_1m_p2026_08') AS t",
      );
      assert.deepEqual(gone, [{ t: null }]);
      const { rows: log } = await db.client.query<
        {
          partition_name: string;
          rows: string;
          dropped: boolean;
          run_id: string;
        }
      >(
        `SELECT partition_name, rows::text, dropped_at IS NOT NULL AS dropped,
                run_id::text FROM etl_retention ORDER BY range_from`,
      );
      assert.deepEqual(log, [
        {
          partition_name: "bars_1m_p2026_08",
          rows: "4",
          dropped: true,
          run_id: result.runId,
        },
        {
          partition_name: "bars_1m_p2026_09",
          rows: "4",
          dropped: true,
          run_id: result.runId,
        },
      ]);

      // A rerun has nothing left to do.
      const again = await applyRetention({
        client: db.client,
        dataDir,
        clock: NOW,
      });
      assert.deepEqual(again.errors, []);
      assert.deepEqual(again.tables.flatMap((t) => t.partitions), []);
      assert.deepEqual(await lakeRows(dataDir), archived);
    }),
);

dbTest(
  "applyRetention() never drops the DEFAULT partition, whatever its age",
  (db) =>
    withLake(db, async (dataDir) => {
      const result = await applyRetention({
        client: db.client,
        dataDir,
        clock: NOW,
        olderThanMs: 0.5 * DAY,
        tables: ["bars_1m"],
      });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        result.tables[0]!.partitions.map((p) => p.partition),
        ["bars_1m_p2026_08", "bars_1m_p2026_09", "bars_1m_p2026_10"],
      );
      assert.deepEqual(await placement(db.client, "bars_1m"), {
        bars_1m_default: 1,
        bars_1m_p2026_11: 2,
      });
    }),
);

dbTest(
  "applyRetention() with dryRun reports and changes nothing",
  (db) =>
    withLake(db, async (dataDir) => {
      const before = await pgRows(db.client, "true");
      const parts = await names(db.client);
      const result = await applyRetention({
        client: db.client,
        dataDir,
        clock: NOW,
        olderThanMs: 45 * DAY,
        tables: ["bars_1m"],
        dryRun: true,
      });
      assert.deepEqual(result.errors, []);
      assert.equal(result.dryRun, true);
      assert.deepEqual(
        result.tables[0]!.partitions.map((
          p,
        ) => [p.partition, p.rows, p.action]),
        [
          ["bars_1m_p2026_08", 4, "would-archive"],
          ["bars_1m_p2026_09", 4, "would-archive"],
        ],
      );
      assert.deepEqual(await pgRows(db.client, "true"), before);
      assert.deepEqual(await names(db.client), parts);
      const { rows } = await db.client.query("SELECT * FROM etl_retention");
      assert.deepEqual(rows, []);
      assert.deepEqual([...Deno.readDirSync(dataDir)], []);
    }),
);

dbTest(
  "applyRetention() rejects a table that is not partitioned",
  async (db) => {
    await assert.rejects(
      applyRetention({
        client: db.client,
        dataDir: "/nonexistent",
        tables: ["quarantine"],
      }),
      /\[retention quarantine\] table "quarantine" is not partitioned/,
    );
  },
);

for (const crashAfter of ["exported", "detached"] as RetentionStep[]) {
  dbTest(
    `applyRetention() rerun after a crash once ${crashAfter} finishes the job`,
    (db) =>
      withLake(db, async (dataDir) => {
        const archived = await pgRows(db.client, OLD);
        const options: RetentionOptions = {
          client: db.client,
          dataDir,
          clock: NOW,
          olderThanMs: 45 * DAY,
          tables: ["bars_1m"],
        };
        const crashed = await applyRetention({
          ...options,
          onStep: ({ partition, step }) => {
            if (partition === "bars_1m_p2026_08" && step === crashAfter) {
              throw new Error(`crash after ${step}`);
            }
          },
        });
        assert.equal(crashed.errors.length, 1);
        assert.match(
          crashed.errors[0]!.message,
          new RegExp(
            `\\[retention bars_1m bars_1m_p2026_08\\].*crash after ${crashAfter}`,
          ),
        );
        const { rows: state } = await db.client.query<
          { attached: boolean | null; pending: number }
        >(
          `SELECT (SELECT relispartition FROM pg_class
                    WHERE oid = to_regclass('bars_1m_p2026_08')) AS attached,
                  (SELECT count(*)::int FROM etl_retention
                    WHERE dropped_at IS NULL) AS pending`,
        );
        // Crashed in the export transaction: rolled back, still attached;
        // crashed after it: detached, recorded, not dropped.
        assert.deepEqual(
          state[0],
          crashAfter === "exported"
            ? { attached: true, pending: 0 }
            : { attached: false, pending: 1 },
        );
        // The files are in the lake either way.
        assert.equal(
          (await lakeRows(dataDir)).length,
          4,
        );

        const rerun = await applyRetention(options);
        assert.deepEqual(rerun.errors, []);
        assert.deepEqual(
          rerun.tables[0]!.partitions.map((p) => [p.partition, p.action]),
          [
            [
              "bars_1m_p2026_08",
              crashAfter === "exported" ? "archived" : "finished",
            ],
            ["bars_1m_p2026_09", "archived"],
          ],
        );
        assert.deepEqual(await lakeRows(dataDir), archived);
        assert.deepEqual(await pgRows(db.client, OLD), []);
        const { rows: log } = await db.client.query<
          { partition_name: string; n: number }
        >(
          `SELECT partition_name, count(*)::int AS n FROM etl_retention
            WHERE dropped_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
        );
        assert.deepEqual(log, [
          { partition_name: "bars_1m_p2026_08", n: 1 },
          { partition_name: "bars_1m_p2026_09", n: 1 },
        ]);
      }),
  );
}

dbTest(
  "a load into a range the retention archived is refused, so the lake's archived files are never replaced",
  async (db) => {
    await withLake(db, async (dataDir) => {
      const result = await applyRetention({
        client: db.client,
        dataDir,
        olderThanMs: 60 * DAY,
        clock: NOW,
      });
      assert.deepEqual(result.errors, []);
      const before = await lakeRows(dataDir);
      await assert.rejects(
        db.client.transaction((tx) =>
          upsertFrame(tx, BARS_1M, bars(["AAPL"], ["2026-08-10T15:00:00Z"]), {
            loadId: crypto.randomUUID(),
          })
        ),
        /fall in bars_1m_p2026_08, which the retention archived to the lake/,
      );
      assert.deepEqual(await lakeRows(dataDir), before);
      assert.ok(!(await names(db.client)).includes("bars_1m_p2026_08"));
    });
  },
);
