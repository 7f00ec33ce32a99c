import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { DATABASE_KINDS, openTestDatabase } from "../_db.ts";
import { frameToBinaryChunks, uuidBytes } from "@pipeline/load/_binary_copy.ts";

const LOAD_ID = "0b6f6a0e-3c1d-4f7a-9d2e-8a1b2c3d4e5f";

for (const kind of DATABASE_KINDS) {
  Deno.test(`frameToBinaryChunks() round-trips text, doubles, ints, timestamps and nulls through COPY [${kind}]`, async () => {
    const db = await openTestDatabase(kind, { migrate: false });
    try {
      await db.client.exec(`CREATE TABLE t (
        name text, x double precision, n integer, big bigint, ts timestamptz, id uuid)`);
      const ts = [
        Date.UTC(2026, 10, 20, 14, 30, 0, 123),
        Date.UTC(1999, 11, 31, 23, 59, 59),
        null,
        Date.UTC(1970, 0, 1),
      ];
      const frame = pl.DataFrame({
        name: ["AAPL", "Zürich ✓", null, ""],
        x: [66.03999999999999, null, -0.0001234567890123, Number.NaN],
        // (pl.Series(name, values, pl.Int32) turns null into 0: cast instead)
        n: pl.Series("n", [1, null, -7, 2147483647]).cast(pl.Int32),
        big: pl.Series("big", [1, 2 ** 40, null, -(2 ** 45)]).cast(pl.Int64),
        ts,
      }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
      // chunks of 3 rows: header, two bodies, trailer
      const chunks = [
        ...frameToBinaryChunks(frame, frame.columns, {
          appendUuid: LOAD_ID,
          chunkRows: 3,
        }),
      ];
      assert.equal(chunks.length, 4);
      const copied = await db.client.copyFrom(
        "COPY t (name, x, n, big, ts, id) FROM STDIN (FORMAT binary)",
        chunks,
      );
      assert.equal(copied, 4);
      const { rows } = await db.client.query<Record<string, unknown>>(
        `SELECT name, x::text AS x, n, big::text AS big,
                to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS ts, id::text AS id
         FROM t ORDER BY n NULLS FIRST`,
      );
      assert.deepEqual(rows.map((r) => [r.name, r.x, r.n, r.big, r.ts, r.id]), [
        [
          "Zürich ✓",
          null,
          null,
          String(2 ** 40),
          "1999-12-31 23:59:59.000",
          LOAD_ID,
        ],
        [null, "-0.0001234567890123", -7, null, null, LOAD_ID],
        [
          "AAPL",
          "66.03999999999999",
          1,
          "1",
          "2026-11-20 14:30:00.123",
          LOAD_ID,
        ],
        [
          "",
          "NaN",
          2147483647,
          String(-(2 ** 45)),
          "1970-01-01 00:00:00.000",
          LOAD_ID,
        ],
      ]);
    } finally {
      await db.dispose();
    }
  });
}

Deno.test("uuidBytes() rejects text that is not a uuid", () => {
  assert.throws(() => uuidBytes("not-a-uuid"), /invalid uuid/);
  assert.equal(uuidBytes(LOAD_ID)[0], 0x0b);
});

Deno.test("frameToBinaryChunks() names a column it cannot encode", () => {
  const frame = pl.DataFrame({ flag: [true, false] });
  assert.throws(
    () => [...frameToBinaryChunks(frame, ["flag"])],
    /column flag: no binary COPY encoding/,
  );
});

Deno.test("frameToBinaryChunks() tells onRows each chunk's rows once the consumer has taken it", () => {
  const frame = pl.DataFrame({ x: [1.5, 2.5, 3.5, 4.5, 5.5] });
  const events: string[] = [];
  const chunks = frameToBinaryChunks(frame, ["x"], {
    chunkRows: 2,
    onRows: (rows) => events.push(`rows ${rows}`),
  });
  for (const chunk of chunks) events.push(`chunk ${chunk.byteLength}`);
  assert.deepEqual(events.map((e) => e.split(" ")[0]), [
    "chunk", // header
    "chunk",
    "rows",
    "chunk",
    "rows",
    "chunk",
    "rows",
    "chunk", // trailer
  ]);
  assert.deepEqual(events.filter((e) => e.startsWith("rows")), [
    "rows 2",
    "rows 2",
    "rows 1",
  ]);
});
