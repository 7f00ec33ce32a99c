import assert from "node:assert/strict";
import { DATABASE_KINDS, openTestDatabase } from "../../_db.ts";
import { migrator } from "./_migrator.ts";

const OLD = "6f1c2b1e-8a40-4c55-9d1a-2b1f0d9e7a11";
const NEW = "0b6a4f0e-1d1c-4d0e-9a51-3c2b7e5d9f22";

/** One-minute bars loaded before 0008: two days of AAPL, one of MSFT. */
const SEED = `
  INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, load_id) VALUES
    ('AAPL', '2026-10-30T14:31:00Z', 11, 13, 10, 12, 200, '${NEW}'),
    ('AAPL', '2026-10-30T14:30:00Z', 10, 12, 9, 11, 100, '${OLD}'),
    ('AAPL', '2026-11-02T20:59:00Z', 20, 21, 19, 20, 0, '${OLD}'),
    ('MSFT', '2026-11-02T14:30:00Z', 400, 401, 399, 400.5, 7, '${OLD}');
`;

for (const kind of DATABASE_KINDS) {
  Deno.test(
    `migration 0008 creates bars_1d partitioned by month with the days of bars_1m, and down drops it [${kind}]`,
    async () => {
      const db = await openTestDatabase(kind, { migrate: false });
      try {
        const before = await migrator(db.client).migrateTo(
          "2026_12_01_0007_quality",
        );
        assert.equal(before.error, undefined);
        await db.client.exec(SEED);
        const up = await migrator(db.client).migrateTo(
          "2026_12_03_0008_bars_1d",
        );
        assert.equal(up.error, undefined);
        assert.deepEqual(
          up.results?.map((r) => r.migrationName),
          ["2026_12_03_0008_bars_1d"],
        );

        const { rows } = await db.client.query(
          `SELECT symbol, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS day,
                  open, high, low, close, volume, vwap, bar_count,
                  load_id::text, tableoid::regclass::text AS part
             FROM bars_1d ORDER BY symbol, ts`,
        );
        assert.deepEqual(rows, [
          {
            symbol: "AAPL",
            day: "2026-10-30 00:00",
            open: 10,
            high: 13,
            low: 9,
            close: 12,
            volume: 300,
            // Σ typical × volume / Σ volume: (32/3·100 + 35/3·200) / 300
            vwap: ((9 + 12 + 11) / 3 * 100 + (10 + 13 + 12) / 3 * 200) / 300,
            bar_count: 2,
            load_id: NEW,
            part: "bars_1d_p2026_10",
          },
          {
            symbol: "AAPL",
            day: "2026-11-02 00:00",
            open: 20,
            high: 21,
            low: 19,
            close: 20,
            volume: 0,
            vwap: null,
            bar_count: 1,
            load_id: OLD,
            part: "bars_1d_p2026_11",
          },
          {
            symbol: "MSFT",
            day: "2026-11-02 00:00",
            open: 400,
            high: 401,
            low: 399,
            close: 400.5,
            volume: 7,
            vwap: (401 + 399 + 400.5) / 3 * 7 / 7,
            bar_count: 1,
            load_id: OLD,
            part: "bars_1d_p2026_11",
          },
        ]);
        const { rows: config } = await db.client.query(
          `SELECT granularity, ahead, retention FROM etl_partitioning
            WHERE table_name = 'bars_1d'`,
        );
        assert.deepEqual(config, [
          { granularity: "month", ahead: 1, retention: null },
        ]);
        const { rows: kinds } = await db.client.query<{ relkind: string }>(
          "SELECT relkind FROM pg_class WHERE relname = 'bars_1d'",
        );
        assert.deepEqual(kinds, [{ relkind: "p" }]);
        await assert.rejects(
          db.client.exec(
            `INSERT INTO bars_1d (symbol, ts, open, high, low, close, volume, bar_count, load_id)
             VALUES ('AAPL', '2026-10-30T00:00:00Z', 1, 1, 1, 1, 1, 1, '${OLD}')`,
          ),
          /duplicate key/,
        );

        const down = await migrator(db.client).migrateDown();
        assert.equal(down.error, undefined);
        const { rows: gone } = await db.client.query(
          `SELECT to_regclass('bars_1d') AS t,
                  (SELECT count(*)::int FROM etl_partitioning
                    WHERE table_name = 'bars_1d') AS config,
                  (SELECT count(*)::int FROM bars_1m) AS bars`,
        );
        assert.deepEqual(gone, [{ t: null, config: 0, bars: 4 }]);
      } finally {
        await db.dispose();
      }
    },
  );
}
