/**
 * writeResource(): each write mode against real databases, and the schema
 * check at the load boundary.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { z } from "zod";
import { dbTest } from "../_db.ts";
import { newestByKey, writeResource } from "@pipeline/load/write.ts";
import { checkFrame, defineResource } from "@pipeline/load/resource.ts";
import { EtlError } from "@pipeline/errors.ts";

const PRICES = (writeMode: "append" | "replace" | "merge") =>
  defineResource({
    name: "prices",
    primaryKey: ["symbol", "ts"],
    cursor: "ts",
    writeMode,
    schema: z.object({
      symbol: z.string(),
      ts: z.date(),
      price: z.number(),
      note: z.string().nullable(),
    }),
  });

function frame(rows: [string, string, number, string | null][]) {
  return pl.DataFrame({
    symbol: rows.map((r) => r[0]),
    ts: rows.map((r) => new Date(r[1]).getTime()),
    price: rows.map((r) => r[2]),
    note: pl.Series("note", rows.map((r) => r[3]), pl.Utf8),
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

const CREATE =
  `CREATE TABLE prices (symbol text NOT NULL, ts timestamptz NOT NULL,
  price double precision NOT NULL, note text, load_id uuid NOT NULL,
  PRIMARY KEY (symbol, ts))`;

async function contents(
  db: { client: { query: (s: string) => Promise<{ rows: unknown[] }> } },
) {
  return (await db.client.query(
    `SELECT symbol, to_char(ts AT TIME ZONE 'UTC', 'HH24:MI') AS t, price, note
     FROM prices ORDER BY symbol, ts`,
  )).rows;
}

dbTest(
  "writeResource() append copies rows in and fails the load on an existing key",
  async (db) => {
    await db.client.exec(CREATE);
    const spec = PRICES("append");
    const rows = frame([["A", "2026-11-20T15:00:00Z", 1, null]]);
    const r = await db.client.transaction((tx) =>
      writeResource(tx, spec, rows, { loadId: crypto.randomUUID() })
    );
    assert.equal(r.inserted, 1);
    await assert.rejects(
      db.client.transaction((tx) =>
        writeResource(tx, spec, rows, { loadId: crypto.randomUUID() })
      ),
      /duplicate key|unique/i,
    );
    assert.equal((await contents(db)).length, 1);
  },
);

dbTest(
  "writeResource() replace swaps the table's contents in one transaction",
  async (db) => {
    await db.client.exec(CREATE);
    const spec = PRICES("replace");
    await db.client.transaction((tx) =>
      writeResource(
        tx,
        spec,
        frame([
          ["A", "2026-11-20T15:00:00Z", 1, null],
          ["B", "2026-11-20T15:00:00Z", 2, null],
        ]),
        { loadId: crypto.randomUUID() },
      )
    );
    const r = await db.client.transaction((tx) =>
      writeResource(tx, spec, frame([["C", "2026-11-20T15:00:00Z", 3, "x"]]), {
        loadId: crypto.randomUUID(),
      })
    );
    assert.equal(r.inserted, 1);
    assert.deepEqual(await contents(db), [
      { symbol: "C", t: "15:00", price: 3, note: "x" },
    ]);
    // A failing replace leaves the old contents.
    await assert.rejects(db.client.transaction(async (tx) => {
      await writeResource(
        tx,
        spec,
        frame([["D", "2026-11-20T15:00:00Z", 4, null]]),
        {
          loadId: crypto.randomUUID(),
        },
      );
      throw new Error("later step failed");
    }));
    assert.deepEqual((await contents(db)).length, 1);
  },
);

dbTest(
  "writeResource() merge keeps the newest duplicate by cursor and rewrites only changed rows",
  async (db) => {
    await db.client.exec(CREATE);
    const spec = PRICES("merge");
    const loadId = crypto.randomUUID();
    await db.client.transaction((tx) =>
      writeResource(
        tx,
        spec,
        frame([
          ["A", "2026-11-20T15:00:00Z", 1, null],
          ["A", "2026-11-20T15:01:00Z", 2, null],
        ]),
        { loadId },
      )
    );
    const r = await db.client.transaction((tx) =>
      writeResource(
        tx,
        spec,
        frame([
          ["A", "2026-11-20T15:01:00Z", 5, "first"],
          ["A", "2026-11-20T15:01:00Z", 6, "last wins"],
          ["A", "2026-11-20T15:00:00Z", 1, null],
          ["A", "2026-11-20T15:02:00Z", 7, null],
        ]),
        { loadId: crypto.randomUUID() },
      )
    );
    assert.deepEqual([r.rows, r.inserted, r.updated, r.unchanged], [
      3,
      1,
      1,
      1,
    ]);
    assert.deepEqual(await contents(db), [
      { symbol: "A", t: "15:00", price: 1, note: null },
      { symbol: "A", t: "15:01", price: 6, note: "last wins" },
      { symbol: "A", t: "15:02", price: 7, note: null },
    ]);
    const { rows } = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM prices WHERE load_id = $1`,
      [loadId],
    );
    assert.equal(rows[0]!.n, 1, "the unchanged row keeps its first load_id");
  },
);

Deno.test("newestByKey() keeps per key the newest cursor, and the last among equal cursors", () => {
  const spec = defineResource({
    name: "events",
    primaryKey: ["id", "at"],
    cursor: "seen",
    writeMode: "merge",
    schema: z.object({
      id: z.string(),
      at: z.number(),
      seen: z.number(),
      v: z.number(),
    }),
  });
  const out = newestByKey(
    spec,
    pl.DataFrame({
      id: ["a", "a", "b", "a"],
      at: [1, 1, 1, 1],
      seen: [3, 1, 1, 3],
      v: [10, 20, 30, 40],
    }),
  );
  assert.deepEqual(out.getColumn("v").toArray(), [30, 40]);
});

Deno.test("checkFrame() refuses a frame that does not match the resource's schema, naming the column", async (t) => {
  const spec = PRICES("merge");
  const good = frame([["A", "2026-11-20T15:00:00Z", 1, null]]);
  checkFrame(spec, good);
  const cases: [string, pl.DataFrame, RegExp][] = [
    ["missing column", good.drop("note"), /column note is missing/],
    [
      "wrong dtype",
      good.withColumns(pl.col("price").cast(pl.Utf8)),
      /column price is String, expected number/,
    ],
    [
      "null in a non-nullable column",
      good.withColumns(pl.lit(null).cast(pl.Float64).alias("price")),
      /column price has 1 null/,
    ],
  ];
  for (const [name, f, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => checkFrame(spec, f),
        (err: unknown) =>
          err instanceof EtlError && err.stage === "load" &&
          message.test(err.message),
      );
    });
  }
});

Deno.test("defineResource() derives columns and refuses a key outside the schema", () => {
  assert.deepEqual(PRICES("merge").columns, ["symbol", "ts", "price", "note"]);
  assert.equal(PRICES("merge").entity, "symbol");
  assert.throws(
    () =>
      defineResource({
        name: "x",
        primaryKey: ["a", "b"],
        cursor: "b",
        writeMode: "merge",
        schema: z.object({ a: z.string() }),
      }),
    /column b is not in its schema/,
  );
});
