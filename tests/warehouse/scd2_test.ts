/**
 * The SCD2 merge into dim_symbol: three reference loads, re-runs, held and
 * absent symbols, partial loads, the forward-only rule and the constraints.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { EtlError } from "@pipeline/errors.ts";
import { DIM_SYMBOL } from "@pipeline/datasets/symbols/dim_symbol.ts";
import {
  mergeScd2,
  rowHashSql,
  type Scd2Options,
  scd2UpsertResult,
} from "@pipeline/warehouse/scd2.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  expectedVersions,
  LOADS,
  referenceFrame,
  RUN1,
  RUN2,
  RUN3,
  T1,
  T2,
  T3,
  versions,
} from "./_symbols.ts";

function merge(
  client: SqlClient,
  load: number,
  options: Partial<Scd2Options> & { asOf: Date; loadId: string },
) {
  return client.transaction((tx) =>
    mergeScd2(tx, DIM_SYMBOL, referenceFrame(LOADS[load]!), options)
  );
}

dbTest(
  "mergeScd2() opens and closes versions over three reference loads",
  async (db, t) => {
    const { client } = db;
    await t.step("load 1 opens A, B, C", async () => {
      const r = await merge(client, 0, { asOf: T1, loadId: RUN1 });
      assert.deepEqual(
        [r.rows, r.opened, r.closed, r.unchanged, r.added],
        [3, 3, 0, 0, 3],
      );
    });
    await t.step("load 2 closes and reopens B, opens D", async () => {
      const r = await merge(client, 1, { asOf: T2, loadId: RUN2 });
      assert.deepEqual(r, {
        table: "dim_symbol",
        rows: 4,
        opened: 2,
        closed: 1,
        unchanged: 2,
        added: 1,
        changed: 1,
        removed: 0,
      });
      assert.deepEqual(scd2UpsertResult(r), {
        table: "dim_symbol",
        rows: 4,
        inserted: 2,
        updated: 1,
        unchanged: 2,
      });
    });
    await t.step("load 3 closes C, absent from the full load", async () => {
      const r = await merge(client, 2, { asOf: T3, loadId: RUN3 });
      assert.deepEqual(
        [r.opened, r.closed, r.removed, r.unchanged],
        [0, 1, 1, 3],
      );
    });
    await t.step("the versions are exact", async () => {
      assert.deepEqual(
        await versions(client),
        expectedVersions([RUN1, RUN2, RUN3]),
      );
    });
    await t.step("re-running a load adds nothing", async () => {
      for (const [load, asOf] of [[2, T3], [2, T3]] as const) {
        const r = await merge(client, load, {
          asOf,
          loadId: crypto.randomUUID(),
        });
        assert.deepEqual([r.opened, r.closed, r.unchanged], [0, 0, 3]);
      }
      assert.deepEqual(
        await versions(client),
        expectedVersions([RUN1, RUN2, RUN3]),
      );
    });
    await t.step(
      "a load older than the history is refused and changes nothing",
      async () => {
        await assert.rejects(
          merge(client, 0, { asOf: T2, loadId: crypto.randomUUID() }),
          (err: unknown) =>
            err instanceof EtlError && err.stage === "load" &&
            /dim_symbol already has versions up to 2026-11-22T21:30:00.000Z; a load as of 2026-11-21T21:30:00.000Z/
              .test(err.message),
        );
        assert.deepEqual(
          await versions(client),
          expectedVersions([RUN1, RUN2, RUN3]),
        );
      },
    );
  },
);

dbTest(
  "mergeScd2() keeps held and, in partial loads, absent symbols; an empty reference closes nothing",
  async (db, t) => {
    const { client } = db;
    await merge(client, 1, { asOf: T1, loadId: RUN1 }); // A, B, C, D
    const current = async () =>
      (await versions(client)).filter((v) => v.is_current).map((v) => v.symbol);
    await t.step("a held symbol stays current", async () => {
      const r = await merge(client, 2, {
        asOf: T2,
        loadId: RUN2,
        held: ["C"],
      });
      assert.equal(r.removed, 0);
      assert.deepEqual(await current(), ["A", "B", "C", "D"]);
    });
    await t.step("a partial load closes nothing", async () => {
      const r = await client.transaction((tx) =>
        mergeScd2(tx, DIM_SYMBOL, referenceFrame([LOADS[0]![0]!]), {
          asOf: T2,
          loadId: RUN2,
          full: false,
        })
      );
      assert.deepEqual([r.closed, r.unchanged], [0, 1]);
      assert.deepEqual(await current(), ["A", "B", "C", "D"]);
    });
    await t.step("an empty full reference closes nothing", async () => {
      const r = await client.transaction((tx) =>
        mergeScd2(tx, DIM_SYMBOL, referenceFrame([]), {
          asOf: T3,
          loadId: RUN3,
        })
      );
      assert.deepEqual([r.rows, r.closed], [0, 0]);
      assert.deepEqual(await current(), ["A", "B", "C", "D"]);
    });
  },
);

dbTest(
  "mergeScd2() opens a version when a null attribute gets a value, and closes a same-instant change as an empty range",
  async (db) => {
    const { client } = db;
    const a = LOADS[0]![0]!; // sector null
    const load = (sector: string | null, asOf: Date) =>
      client.transaction((tx) =>
        mergeScd2(tx, DIM_SYMBOL, referenceFrame([{ ...a, sector }]), {
          asOf,
          loadId: crypto.randomUUID(),
        })
      );
    await load(null, T1);
    assert.equal((await load("Energy", T2)).changed, 1);
    assert.equal((await load("Utilities", T2)).changed, 1);
    assert.equal((await load(null, T3)).changed, 1);
    const rows = (await versions(client)).map((
      v,
    ) => [v.sector, v.valid_from.slice(0, 10), v.valid_to?.slice(0, 10)]);
    assert.deepEqual(rows, [
      [null, "2026-11-20", "2026-11-21"],
      ["Energy", "2026-11-21", "2026-11-21"],
      ["Utilities", "2026-11-21", "2026-11-22"],
      [null, "2026-11-22", undefined],
    ]);
  },
);

dbTest("rowHashSql() tells nulls, separators and escapes apart", async (db) => {
  const hash = rowHashSql(["a", "b"]);
  const { rows } = await db.client.query<{ h: string }>(
    `SELECT ${hash} AS h FROM (VALUES
       ('x|y', 'z'), ('x', 'y|z'), (NULL, 'z'), (chr(92) || 'N', 'z'),
       ('', 'z'), ('x' || chr(92), '|z'), ('x', chr(92) || '|z')) AS v(a, b)`,
  );
  const hashes = rows.map((r) => r.h);
  assert.equal(new Set(hashes).size, hashes.length, hashes.join("\n"));
  assert.ok(hashes.every((h) => /^[0-9a-f]{32}$/.test(h)));
});

dbTest(
  "dim_symbol refuses overlapping versions and a second current version",
  async (db) => {
    const { client } = db;
    await merge(client, 0, { asOf: T2, loadId: RUN1 });
    const insert = (validFrom: Date, validTo: Date | null) =>
      client.query(
        `INSERT INTO dim_symbol (symbol, name, exchange, currency, row_hash,
           valid_from, valid_to, is_current, load_id, closed_load_id)
         VALUES ('A', 'x', 'y', 'USD', 'h', $1, $2, $3, $4, $5)`,
        [
          validFrom.toISOString(),
          validTo?.toISOString() ?? null,
          validTo === null,
          RUN2,
          validTo ? RUN2 : null,
        ],
      );
    await assert.rejects(insert(T3, null), /dim_symbol_one_current/);
    await assert.rejects(insert(T1, T3), /versions of A overlap/);
    await insert(T1, T2); // ends where the current one starts: fine
    assert.equal((await versions(client)).length, 4);
  },
);
