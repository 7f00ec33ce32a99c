/**
 * The first-load fast path of the derived assets: a symbol the warehouse
 * held no bars of takes its derived columns and buckets from the batch
 * (no SQL recompute), a symbol with rows goes through the SQL recompute,
 * and both leave the tables, to the bit, and the counts as the all-SQL path
 * does. Each load is done twice in one database: symbols `F<i>` through
 * `loadDataset()`, `S<i>` (the same bars) through the merge and
 * `deriveAssets()` without fresh entities; the tables are compared modulo
 * the symbol's first letter.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { type BarBatch, BARS_1M } from "@pipeline/load/bars.ts";
import { loadDataset } from "@pipeline/datasets/load_dataset.ts";
import { writeResource } from "@pipeline/load/write.ts";
import { deriveAssets } from "@pipeline/load/derive.ts";
import { freshEntities } from "@pipeline/load/derive_fresh.ts";
import {
  BARS_1M_COLUMNS,
  BARS_DERIVED,
} from "@pipeline/datasets/bars/derived.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { type Bar, random, randomBar, rawBars } from "./_bars.ts";

const NOW = new Date("2026-11-21T12:00:00Z");
const TABLES = ["bars_1m", "bars_5m", "bars_1h", "bars_1d"];

/**
 * Bars of three sessions (each crossing hour and 5-minute boundaries, with
 * gaps and now and then a zero volume), from the seed.
 */
function history(seed: number): Bar[] {
  const rand = random(seed);
  const out: Bar[] = [];
  for (const day of ["2026-11-18", "2026-11-19", "2026-11-20"]) {
    const start = Date.parse(`${day}T14:30:00Z`);
    for (let i = 0; i < 80; i++) {
      if (rand() < 0.1) continue;
      out.push(randomBar(rand, start + i * 60_000, 0.08));
    }
  }
  return out;
}

/** The batch of `bars` per symbol, validated and transformed as a run does. */
function batchOf(bars: Record<string, Bar[]>): BarBatch {
  const rows = Object.entries(bars).flatMap(([symbol, list]) =>
    list.map((b) => ({ symbol, ...b }))
  );
  const raw = rawBars(rows, (i) => `r:${i + 1}`);
  const { valid, quarantine } = barsDataset.validate(raw, { now: NOW });
  assert.equal(quarantine.height, 0, "quarantined");
  return barsDataset.transform(valid, { now: NOW }).batch as BarBatch;
}

/** `client` with every statement's text recorded in `log`. */
function recording(client: SqlClient, log: string[]): SqlClient {
  return {
    kind: client.kind,
    query: (sql, params) => {
      log.push(sql);
      return client.query(sql, params);
    },
    exec: (sql) => {
      log.push(sql);
      return client.exec(sql);
    },
    copyFrom: (sql, data) => {
      log.push(sql);
      return client.copyFrom(sql, data);
    },
    copyTo: (sql) => client.copyTo(sql),
    copyToFile: (sql, path) => client.copyToFile(sql, path),
    transaction: (fn) => client.transaction((tx) => fn(recording(tx, log))),
    close: () => client.close(),
  };
}

/**
 * Loads `batch` as the runner does (`loadDataset()`: the merge, then the
 * derived assets with the first-load fast path); returns its results and
 * statements.
 */
async function loadFast(client: SqlClient, batch: BarBatch) {
  const log: string[] = [];
  const results = await client.transaction((tx) =>
    loadDataset(recording(tx, log), barsDataset, batch, {
      loadId: crypto.randomUUID(),
    })
  );
  return { results, log };
}

/** Loads `batch` with the merge and an all-SQL recompute. */
async function loadAllSql(client: SqlClient, batch: BarBatch) {
  return await client.transaction(async (tx) => {
    const loadId = crypto.randomUUID();
    const bars = await writeResource(tx, BARS_1M, batch.bars, { loadId });
    return await deriveAssets(tx, BARS_DERIVED, batch.bars, {
      loadId,
      loaded: [bars],
    });
  });
}

/** Rows of `table` of the symbols starting with `prefix`, minus load_id. */
async function dump(
  client: SqlClient,
  table: string,
  prefix: string,
): Promise<string[]> {
  const { rows } = await client.query<{ row: string }>(
    `SELECT substr(symbol, 2) || ' ' || (to_jsonb(t) - 'load_id' - 'symbol')::text
              AS row
       FROM ${table} t WHERE symbol LIKE $1 ORDER BY symbol, ts`,
    [`${prefix}%`],
  );
  return rows.map((r) => r.row);
}

async function assertSameTables(client: SqlClient, when: string) {
  for (const table of TABLES) {
    const fast = await dump(client, table, "F");
    assert.ok(fast.length > 0, `${when}: ${table} is empty`);
    assert.deepEqual(fast, await dump(client, table, "S"), `${when}: ${table}`);
  }
}

/** The results without dates (the bars of both paths share them anyway). */
function counts(results: UpsertResult[]) {
  return results.map(({ dates: _, ...r }) => r);
}

/** Statements of the SQL recompute: the window UPDATE, an aggregate. */
const recomputes = (log: string[]) => ({
  window: log.some((s) => /UPDATE "bars_1m"/.test(s)),
  aggregate: log.some((s) => s.includes("date_bin(")),
});

dbTest(
  "a first load takes the batch's derived values and a load onto rows the SQL recompute, with the tables of the all-SQL path",
  async (db) => {
    const [a, b, c] = [history(1), history(2), history(3)];
    const split = Date.parse("2026-11-19T15:00:00Z");
    const before = (bars: Bar[]) => bars.filter((x) => x.ts < split);

    // 1. A first load of two symbols: no recompute at all.
    const first = (p: string) =>
      batchOf({ [`${p}1`]: before(a), [`${p}2`]: before(b) });
    const fast1 = await loadFast(db.client, first("F"));
    const sql1 = await loadAllSql(db.client, first("S"));
    assert.deepEqual(recomputes(fast1.log), {
      window: false,
      aggregate: false,
    });
    assert.deepEqual(counts(fast1.results), counts(sql1));
    assert.equal(
      fast1.results[0]!.inserted,
      before(a).length + before(b).length,
    );
    await assertSameTables(db.client, "first load");

    // 2. Onto existing rows: a correction inside the loaded range, the rest
    // of the history appended, and a new symbol in the same batch.
    const corrected = (bars: Bar[]) =>
      bars.map((x) =>
        x.ts === split - 10 * 60_000 || x.ts === split - 11 * 60_000
          ? { ...x, close: x.close + 0.37, high: x.high + 0.37 }
          : x
      );
    const second = (p: string) =>
      batchOf({
        [`${p}1`]: corrected(a).filter((x) => x.ts >= split - 30 * 60_000),
        [`${p}2`]: b.filter((x) => x.ts >= split),
        [`${p}3`]: c,
      });
    assert.deepEqual(
      [
        ...await freshEntities(
          db.client,
          BARS_1M_COLUMNS.upstream,
          second("F").bars,
        ),
      ],
      ["F3"],
    );
    const fast2 = await loadFast(db.client, second("F"));
    const sql2 = await loadAllSql(db.client, second("S"));
    assert.deepEqual(recomputes(fast2.log), { window: true, aggregate: true });
    assert.deepEqual(counts(fast2.results), counts(sql2));
    assert.ok(fast2.results[0]!.updated > 0, "the correction is an update");
    await assertSameTables(db.client, "load onto existing rows");

    // 3. An identical re-send of everything changes nothing on either path.
    const all = (p: string) =>
      batchOf({ [`${p}1`]: corrected(a), [`${p}2`]: b, [`${p}3`]: c });
    await loadFast(db.client, all("F"));
    await loadAllSql(db.client, all("S"));
    await assertSameTables(db.client, "re-send");
  },
);
