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
