import assert from "node:assert/strict";
import { dbTest, openTestDatabase, SKIP_SERVER_TESTS } from "../_db.ts";
import { bars, placement } from "./_fixtures.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { BARS_1M } from "@pipeline/load/bars.ts";
import { upsertFrame } from "@pipeline/load/upsert.ts";
import {
  ensurePartitions,
  listPartitions,
} from "@pipeline/warehouse/partitions.ts";
import {
  partitionName,
  periodsCovering,
} from "@pipeline/warehouse/granularity.ts";

const utc = (iso: string) => new Date(iso);

/** The range partitions of `table` as `name [from, to)` lines. */
async function ranges(client: SqlClient, table: string): Promise<string[]> {
  return (await listPartitions(client, table)).map((p) =>
    p.isDefault
      ? `${p.name} DEFAULT`
      : `${p.name} [${p.from!.toISOString()}, ${p.to!.toISOString()})`
  );
}

/** A client that counts the statements it runs. */
function counting(client: SqlClient): SqlClient & { statements: string[] } {
  const statements: string[] = [];
  return {
    ...client,
    statements,
    query(sql, params) {
      statements.push(sql);
      return client.query(sql, params);
    },
    exec(sql) {
      statements.push(sql);
      return client.exec(sql);
    },
  };
}

const insertBar = (client: SqlClient, ts: string) =>
  client.query(
    `INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, load_id)
     VALUES ('AAPL', $1, 1, 1, 1, 1, 1, gen_random_uuid())`,
    [ts],
  );

Deno.test("periodsCovering() covers [from, to) and adds the periods ahead", async (t) => {
  const cases: [string, string, "day" | "month", number, string[]][] = [
    ["2026-11-20T14:30:00Z", "2026-11-20T21:00:00Z", "month", 1, [
      "2026-11",
      "2026-12",
    ]],
    ["2026-11-30T23:59:00Z", "2026-12-01T00:00:00Z", "month", 0, ["2026-11"]],
    ["2026-11-30T23:59:00Z", "2026-12-01T00:00:00.001Z", "month", 0, [
      "2026-11",
      "2026-12",
    ]],
    ["2026-12-31T12:00:00Z", "2027-01-01T12:00:00Z", "day", 2, [
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]],
    ["2026-11-20T00:00:00Z", "2026-11-20T00:00:00Z", "day", 3, []],
  ];
  for (const [from, to, g, ahead, want] of cases) {
    await t.step(`${from}..${to} by ${g}, ${ahead} ahead`, () => {
      const got = periodsCovering(utc(from), utc(to), g, ahead)
        .map((d) => d.toISOString().slice(0, g === "month" ? 7 : 10));
      assert.deepEqual(got, want);
    });
  }
});

Deno.test("partitionName() derives the name from the table and the period only", () => {
  const start = utc("2026-11-01T00:00:00Z");
  assert.equal(partitionName("bars_1m", start, "month"), "bars_1m_p2026_11");
  assert.equal(partitionName("bars_1m", start, "day"), "bars_1m_p2026_11_01");
  assert.throws(() => partitionName('bars"; DROP', start, "day"), TypeError);
  assert.throws(() => partitionName("x".repeat(52), start, "day"), TypeError);
});

dbTest("the migrated tables have only their DEFAULT partition", async (db) => {
  for (const table of ["bars_1m", "bars_5m", "bars_1h", "weather_hourly"]) {
    assert.deepEqual(await ranges(db.client, table), [
      `${table}_default DEFAULT`,
    ]);
  }
});

dbTest(
  "ensurePartitions() creates the range's partitions and one month ahead",
  async (db) => {
    const result = await db.client.transaction((tx) =>
      ensurePartitions(tx, {
        table: "bars_1m",
        from: utc("2026-10-30T14:30:00Z"),
        to: utc("2026-11-20T21:00:00Z"),
      })
    );
    assert.deepEqual(result.created.map((p) => p.name), [
      "bars_1m_p2026_10",
      "bars_1m_p2026_11",
      "bars_1m_p2026_12",
    ]);
    assert.equal(result.movedFromDefault, 0);
    assert.deepEqual(await ranges(db.client, "bars_1m"), [
      "bars_1m_p2026_10 [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z)",
      "bars_1m_p2026_11 [2026-11-01T00:00:00.000Z, 2026-12-01T00:00:00.000Z)",
      "bars_1m_p2026_12 [2026-12-01T00:00:00.000Z, 2027-01-01T00:00:00.000Z)",
      "bars_1m_default DEFAULT",
    ]);
    // The partitions carry the parent's key.
    const { rows } = await db.client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'bars_1m_p2026_11'
       ORDER BY 1`,
    );
    assert.deepEqual(rows.map((r) => r.indexname), ["bars_1m_p2026_11_pkey"]);
  },
);

dbTest(
  "ensurePartitions() when the partitions exist is one query and creates nothing",
  async (db) => {
    const range = {
      table: "bars_1m",
      from: utc("2026-11-20T14:30:00Z"),
      to: utc("2026-11-20T21:00:00Z"),
    };
    await db.client.transaction((tx) => ensurePartitions(tx, range));
    const before = await ranges(db.client, "bars_1m");
    const spy = counting(db.client);
    const again = await ensurePartitions(spy, range);
    assert.deepEqual(again.created, []);
    assert.equal(spy.statements.length, 1);
    assert.deepEqual(await ranges(db.client, "bars_1m"), before);
  },
);

dbTest(
  "ensurePartitions() leaves a table without etl_partitioning row alone",
  async (db) => {
    await db.client.exec(
      "CREATE TABLE plain (ts timestamptz); DELETE FROM etl_partitioning WHERE table_name = 'bars_1h'",
    );
    for (const table of ["plain", "bars_1h"]) {
      const r = await db.client.transaction((tx) =>
        ensurePartitions(tx, {
          table,
          from: utc("2026-11-20T00:00:00Z"),
          to: utc("2026-11-21T00:00:00Z"),
        })
      );
      assert.deepEqual(r.created, []);
    }
    assert.deepEqual(await ranges(db.client, "bars_1h"), [
      "bars_1h_default DEFAULT",
    ]);
  },
);

dbTest(
  "rows without a partition go to the DEFAULT one and move into their partition when it is created",
  async (db) => {
    await insertBar(db.client, "2025-03-05T15:00:00Z");
    await insertBar(db.client, "2025-03-31T23:59:59.999Z");
    await insertBar(db.client, "2025-04-01T00:00:00Z");
    assert.deepEqual(await placement(db.client, "bars_1m"), {
      bars_1m_default: 3,
    });
    await db.client.exec(
      "UPDATE etl_partitioning SET ahead = 0 WHERE table_name = 'bars_1m'",
    );
    const r = await db.client.transaction((tx) =>
      ensurePartitions(tx, {
        table: "bars_1m",
        from: utc("2025-03-10T00:00:00Z"),
        to: utc("2025-03-11T00:00:00Z"),
      })
    );
    assert.deepEqual(r.created.map((p) => p.name), ["bars_1m_p2025_03"]);
    assert.equal(r.movedFromDefault, 2);
    assert.deepEqual(await placement(db.client, "bars_1m"), {
      bars_1m_default: 1,
      bars_1m_p2025_03: 2,
    });
  },
);

dbTest(
  "ensurePartitions() with day granularity makes day partitions",
  async (db) => {
    await db.client.exec(
      `UPDATE etl_partitioning SET granularity = 'day', ahead = 2
        WHERE table_name = 'bars_5m'`,
    );
    const r = await db.client.transaction((tx) =>
      ensurePartitions(tx, {
        table: "bars_5m",
        from: utc("2026-11-20T14:30:00Z"),
        to: utc("2026-11-20T21:00:00Z"),
      })
    );
    assert.deepEqual(r.created.map((p) => p.name), [
      "bars_5m_p2026_11_20",
      "bars_5m_p2026_11_21",
      "bars_5m_p2026_11_22",
    ]);
  },
);

dbTest(
  "ensurePartitions() after a change to month fills a partly covered month with days",
  async (db) => {
    await db.client.exec(
      `UPDATE etl_partitioning SET granularity = 'day', ahead = 0
        WHERE table_name = 'weather_hourly'`,
    );
    const dec = {
      table: "weather_hourly",
      from: utc("2026-12-29T00:00:00Z"),
      to: utc("2027-01-01T00:00:00Z"),
    };
    await db.client.transaction((tx) => ensurePartitions(tx, dec));
    await db.client.exec(
      `UPDATE etl_partitioning SET granularity = 'month'
        WHERE table_name = 'weather_hourly'`,
    );
    const r = await db.client.transaction((tx) =>
      ensurePartitions(tx, { ...dec, from: utc("2026-12-25T00:00:00Z") })
    );
    assert.deepEqual(
      r.created.map((p) => p.name),
      Array.from(
        { length: 28 },
        (_, i) => `weather_hourly_p2026_12_${String(i + 1).padStart(2, "0")}`,
      ),
    );
    const again = await db.client.transaction((tx) =>
      ensurePartitions(tx, { ...dec, from: utc("2026-12-01T00:00:00Z") })
    );
    assert.deepEqual(again.created, []);
  },
);

dbTest(
  "upsertFrame() creates the partitions it needs, and reloading the same data changes nothing",
  async (db) => {
    const frame = bars(["AAPL", "MSFT"], [
      "2026-10-30T19:59:00Z",
      "2026-11-02T14:30:00Z",
      "2026-11-20T20:59:00Z",
    ]);
    const load = () =>
      db.client.transaction((tx) =>
        upsertFrame(tx, BARS_1M, frame, { loadId: crypto.randomUUID() })
      );
    const first = await load();
    assert.equal(first.inserted, 6);
    const parts = await ranges(db.client, "bars_1m");
    assert.deepEqual(parts.map((p) => p.split(" ")[0]), [
      "bars_1m_p2026_10",
      "bars_1m_p2026_11",
      "bars_1m_p2026_12",
      "bars_1m_default",
    ]);
    const where = await placement(db.client, "bars_1m");
    assert.deepEqual(where, { bars_1m_p2026_10: 2, bars_1m_p2026_11: 4 });
    const second = await load();
    assert.deepEqual(
      [second.inserted, second.updated, second.unchanged],
      [0, 0, 6],
    );
    assert.deepEqual(await ranges(db.client, "bars_1m"), parts);
    assert.deepEqual(await placement(db.client, "bars_1m"), where);
  },
);

Deno.test({
  name:
    "ensurePartitions() from two connections at once creates each partition once [postgres]",
  ignore: SKIP_SERVER_TESTS, // PGlite has one connection.
  async fn() {
    const db = await openTestDatabase("postgres");
    const other = await connectPostgres(db.url!);
    try {
      const range = {
        table: "bars_1h",
        from: utc("2026-01-15T00:00:00Z"),
        to: utc("2026-03-15T00:00:00Z"),
      };
      const results = await Promise.all(
        [db.client, other].map((c) =>
          c.transaction(async (tx) => {
            const r = await ensurePartitions(tx, range);
            await tx.query("SELECT pg_sleep(0.2)");
            return r;
          })
        ),
      );
      const created = results.flatMap((r) => r.created.map((p) => p.name))
        .sort();
      assert.deepEqual(created, [
        "bars_1h_p2026_01",
        "bars_1h_p2026_02",
        "bars_1h_p2026_03",
        "bars_1h_p2026_04",
      ]);
    } finally {
      await other.close();
      await db.dispose();
    }
  },
});
