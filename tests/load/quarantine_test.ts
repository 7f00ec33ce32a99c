import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { loadQuarantine, safeTextFrame } from "@pipeline/load/quarantine.ts";

const OPTIONS = {
  loadId: "00000000-0000-4000-8000-000000000001",
  source: "file",
  dataset: "bars",
  entityColumn: "symbol",
  quarantinedAt: new Date("2026-11-21T00:00:00Z"),
};

/** A quarantine frame of `n` records whose every text holds `poison`. */
function poisoned(n: number, poison: string): pl.DataFrame {
  const col = (name: string) =>
    pl.Series(
      name,
      Array.from({ length: n }, (_, i) => `${name}${poison}${i}`),
      pl.Utf8,
    );
  return pl.DataFrame(
    ["record", "symbol", "ts", "field", "reason", "raw"].map(col),
  );
}

Deno.test("safeTextFrame() escapes NUL and control characters, keeps tab and newline", () => {
  const frame = pl.DataFrame({
    s: ["AA\u0000PL", "a\u0001b\u001fc\u007f", "tab\there\nnewline", null],
  });
  assert.deepEqual(safeTextFrame(frame, ["s"]).getColumn("s").toArray(), [
    "AA\\u0000PL",
    "a\\u0001b\\u001fc\\u007f",
    "tab\there\nnewline",
    null,
  ]);
});

Deno.test("safeTextFrame() escapes each control character in any column, leaves clean columns and other text as they are", () => {
  const codes = [
    ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) =>
      i !== 0x09 && i !== 0x0a && i !== 0x0d
    ),
    0x7f,
  ];
  const n = codes.length;
  const frame = pl.DataFrame({
    clean: Array.from({ length: n }, (_, i) => `é\t${i}\r\n"\\u0000`),
    dirty: codes.map((c) => `x${String.fromCharCode(c)}y`),
    late: [...Array.from({ length: n - 1 }, () => null), "z\u0000"],
    number: pl.Series(
      "number",
      Array.from({ length: n }, (_, i) => i),
      pl.Int64,
    ),
    empty: Array.from({ length: n }, () => null as string | null),
    // The edges of the escaped ranges, each alone in its column.
    ...Object.fromEntries(
      [0x08, 0x0b, 0x0c, 0x0e, 0x1f, 0x7f].map((c) => [
        `only${c}`,
        [
          `${String.fromCharCode(c)}`,
          ...Array.from({ length: n - 1 }, () => "ok"),
        ],
      ]),
    ),
  });
  const safe = safeTextFrame(frame, [
    "clean",
    "dirty",
    "late",
    "number",
    "empty",
  ]);
  assert.deepEqual(safe.columns, ["clean", "dirty", "late", "number", "empty"]);
  assert.deepEqual(
    safe.getColumn("clean").toArray(),
    frame.getColumn("clean").toArray(),
  );
  assert.deepEqual(
    safe.getColumn("dirty").toArray(),
    codes.map((c) => `x\\u${c.toString(16).padStart(4, "0")}y`),
  );
  assert.equal(safe.getColumn("late").get(n - 1), "z\\u0000");
  assert.equal(safe.getColumn("late").nullCount(), n - 1);
  assert.deepEqual(
    safe.getColumn("number").toArray(),
    codes.map((_, i) => `${i}`),
  );
  assert.equal(safe.getColumn("empty").nullCount(), n);
  for (const c of [0x08, 0x0b, 0x0c, 0x0e, 0x1f, 0x7f]) {
    assert.equal(
      safeTextFrame(frame, [`only${c}`]).getColumn(`only${c}`).get(0),
      `\\u${c.toString(16).padStart(4, "0")}`,
    );
  }
  assert.equal(safeTextFrame(frame.head(0), ["clean"]).height, 0);
});

dbTest(
  "loadQuarantine() keeps records with NUL and control characters in every column",
  async (db) => {
    await migrateToLatest(db.client);
    const kept = await db.client.transaction((tx) =>
      loadQuarantine(tx, poisoned(3, "\u0000\u0007"), OPTIONS)
    );
    assert.equal(kept, 3);
    const { rows } = await db.client.query<Record<string, string>>(
      "SELECT record, entity, ts, field, reason, raw FROM quarantine ORDER BY record",
    );
    assert.deepEqual(rows[0], {
      record: "record\\u0000\\u00070",
      entity: "symbol\\u0000\\u00070",
      ts: "ts\\u0000\\u00070",
      field: "field\\u0000\\u00070",
      reason: "reason\\u0000\\u00070",
      raw: "raw\\u0000\\u00070",
    });
  },
);

dbTest("loadQuarantine() names the record Postgres refused", async (db) => {
  await migrateToLatest(db.client);
  // A client whose COPY refuses any input holding "refuse-me", as a server
  // would refuse a value it cannot store.
  const refusing = (tx: SqlClient): SqlClient => ({
    ...tx,
    copyFrom(sql, data) {
      const text = new TextDecoder().decode(data as Uint8Array);
      return text.includes("refuse-me")
        ? Promise.reject(new Error("invalid byte sequence"))
        : tx.copyFrom(sql, data);
    },
  });
  const frame = poisoned(4, "").withColumns(
    pl.when(pl.col("record").eq(pl.lit("record2")))
      .then(pl.lit("refuse-me"))
      .otherwise(pl.col("raw"))
      .alias("raw"),
  );
  await assert.rejects(
    db.client.transaction((tx) => loadQuarantine(refusing(tx), frame, OPTIONS)),
    (err: Error) => {
      assert.match(
        err.message,
        /^\[load quarantine\] cannot keep record record2 in quarantine: invalid byte sequence$/,
      );
      return true;
    },
  );
  assert.equal(
    (await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM quarantine",
    )).rows[0]!.n,
    0,
  );
});
