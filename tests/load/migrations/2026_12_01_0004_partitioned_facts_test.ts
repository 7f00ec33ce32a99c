import assert from "node:assert/strict";
import { DATABASE_KINDS, openTestDatabase } from "../../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { migrator } from "./_migrator.ts";

const LOAD = "6f1c2b1e-8a40-4c55-9d1a-2b1f0d9e7a11";

/** Rows of the four fact tables as they were before 0004, over three months. */
const SEED = `
  INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, ret,
                       ma_close_20, ma_volume_20, vwap, load_id) VALUES
    ('AAPL', '2026-09-30T23:59:00Z', 1, 2, 0.5, 1.5, 10, NULL, NULL, NULL, 1.4, '${LOAD}'),
    ('AAPL', '2026-10-01T00:00:00Z', 1.5, 2, 1, 1.75, 20, 0.1, 1.6, 15, 1.5, '${LOAD}'),
    ('MSFT', '2026-10-31T23:59:59.999999Z', 400, 401, 399, 400.5, 0, 0, 400, 0, NULL, '${LOAD}'),
    ('MSFT', '2026-11-20T14:31:00.123456Z', 400.5, 402, 400, 401, 7, 0.002, 400.5, 3.5, 401, '${LOAD}');
  INSERT INTO bars_5m (symbol, ts, open, high, low, close, volume, vwap, bar_count, load_id) VALUES
    ('AAPL', '2026-10-01T00:00:00Z', 1.5, 2, 1, 1.75, 20, 1.5, 1, '${LOAD}');
  INSERT INTO bars_1h (symbol, ts, open, high, low, close, volume, vwap, bar_count, load_id) VALUES
    ('AAPL', '2026-11-20T14:00:00Z', 1.5, 2, 1, 1.75, 20, 1.5, 60, '${LOAD}');
  INSERT INTO weather_hourly VALUES
    ('london', '2026-11-01T00:00:00Z', 7.5, 81, NULL, 11.3, NULL, NULL, '${LOAD}'),
    ('london', '2026-12-01T00:00:00Z', NULL, NULL, 0.2, NULL, 7.1, 0.2, '${LOAD}');
`;

/** Every row of `table` as JSON text, in key order. */
async function dump(client: SqlClient, table: string): Promise<string[]> {
  const { rows } = await client.query<{ row: string }>(
    `SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY 1`,
  );
  return rows.map((r) => r.row);
}

const FACTS = ["bars_1m", "bars_5m", "bars_1h", "weather_hourly"];

for (const kind of DATABASE_KINDS) {
  Deno.test(
    `migration 0004 keeps every row and partitions the facts by month [${kind}]`,
    async () => {
      const db = await openTestDatabase(kind, { migrate: false });
      try {
        const { error } = await migrator(db.client).migrateTo(
          "2026_11_22_0003_operations",
        );
        assert.equal(error, undefined);
        await db.client.exec(SEED);
        const before = Object.fromEntries(
          await Promise.all(
            FACTS.map(async (t) => [t, await dump(db.client, t)] as const),
          ),
        );
        const up = await migrator(db.client).migrateTo(
          "2026_12_01_0004_partitioned_facts",
        );
        assert.equal(up.error, undefined);
        assert.deepEqual(
          up.results?.map((r) => r.migrationName),
          ["2026_12_01_0004_partitioned_facts"],
        );

        for (const t of FACTS) {
          assert.deepEqual(await dump(db.client, t), before[t], t);
        }
        const { rows: kinds } = await db.client.query<
          { relname: string; relkind: string }
        >(
          `SELECT relname, relkind FROM pg_class
            WHERE relname = ANY($1) ORDER BY relname`,
          [FACTS],
        );
        assert.ok(kinds.every((k) => k.relkind === "p"), JSON.stringify(kinds));
        const { rows: parts } = await db.client.query<
          { part: string; n: number }
        >(
          `SELECT tableoid::regclass::text AS part, count(*)::int AS n
             FROM bars_1m GROUP BY 1 ORDER BY 1`,
        );
        assert.deepEqual(parts, [
          { part: "bars_1m_p2026_09", n: 1 },
          { part: "bars_1m_p2026_10", n: 2 },
          { part: "bars_1m_p2026_11", n: 1 },
        ]);
        const { rows: weather } = await db.client.query<{ part: string }>(
          `SELECT tableoid::regclass::text AS part FROM weather_hourly
            ORDER BY ts`,
        );
        assert.deepEqual(weather.map((w) => w.part), [
          "weather_hourly_p2026_11",
          "weather_hourly_p2026_12",
        ]);
        // The key still holds, and the defaults are seeded.
        await assert.rejects(
          db.client.exec(
            `INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, load_id)
             VALUES ('AAPL', '2026-10-01T00:00:00Z', 1, 1, 1, 1, 1, '${LOAD}')`,
          ),
          /duplicate key/,
        );
        const { rows: config } = await db.client.query(
          `SELECT table_name, granularity, ahead, retention
             FROM etl_partitioning ORDER BY table_name`,
        );
        assert.deepEqual(
          config,
          [...FACTS].sort().map((t) => ({
            table_name: t,
            granularity: "month",
            ahead: 1,
            retention: null,
          })),
        );

        // And down() puts plain tables back, rows included.
        const down = await migrator(db.client).migrateDown();
        assert.equal(down.error, undefined);
        for (const t of FACTS) {
          assert.deepEqual(await dump(db.client, t), before[t], t);
        }
        const { rows: flat } = await db.client.query<{ relkind: string }>(
          "SELECT relkind FROM pg_class WHERE relname = ANY($1)",
          [FACTS],
        );
        assert.deepEqual(flat.map((k) => k.relkind), ["r", "r", "r", "r"]);
      } finally {
        await db.dispose();
      }
    },
  );
}
