/**
 * Property: whatever batches bring the bars (partial, overlapping,
 * reordered, duplicated, corrected), the warehouse ends as one load of the
 * final data would leave it, and every bars_5m, bars_1h and bars_1d row is
 * the aggregate of its bars_1m rows.
 *
 * Each sequence i of a seeded generator loads symbol `Pi` through its
 * batches and `Qi` once with the final data, both through the bars
 * dataset's validate, transform and `loadBatch` (the runner's path), in one
 * database; the tables are then compared modulo the symbol. Replay a
 * failure with `DERIVE_SEED=<seed> DERIVE_SEQUENCES=<n>`.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { loadBatch } from "@pipeline/datasets/load_batch.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { type Bar, random, randomBar, rawBars } from "./_bars.ts";

const SEED = Number(Deno.env.get("DERIVE_SEED") ?? 20261203);
const SEQUENCES = Number(Deno.env.get("DERIVE_SEQUENCES") ?? 200);
const NOW = new Date("2026-11-21T12:00:00Z");
const clock = fixedClock(NOW);

/**
 * The minutes of a sequence: the end of the 19 November session, a few
 * after-hours bars past UTC midnight (still 19 November in New York: the
 * VWAP session spans two UTC days), and the start of the 20 November
 * session; some minutes missing.
 */
function minutes(rand: () => number): number[] {
  const at = (iso: string) => Date.parse(iso);
  const ranges: [number, number][] = [
    [at("2026-11-19T20:25:00Z"), 35],
    [at("2026-11-20T00:30:00Z"), 6],
    [at("2026-11-20T14:30:00Z"), 35],
  ];
  const out: number[] = [];
  for (const [start, n] of ranges) {
    for (let i = 0; i < n; i++) {
      if (rand() < 0.9) out.push(start + i * 60_000);
    }
  }
  return out;
}

/** A bar at `ts`, now and then with a zero volume. */
const bar = (rand: () => number, ts: number) => randomBar(rand, ts, 0.05);

/** A raw frame of `bars` of `symbol`, records `<tag>:<n>`. */
const rawFrame = (symbol: string, bars: Bar[], tag: string) =>
  rawBars(bars.map((b) => ({ symbol, ...b })), (i) => `${tag}:${i + 1}`);

/** One generated sequence: the batches of P, and the final data. */
function sequence(rand: () => number): { batches: Bar[][]; final: Bar[] } {
  const keys = minutes(rand);
  const final = keys.map((ts) => bar(rand, ts));
  const n = 1 + Math.floor(rand() * 5);
  const batches: Bar[][] = Array.from({ length: n }, () => []);
  keys.forEach((ts, k) => {
    // Each bar appears in one or more batches; only its last appearance
    // is sure to carry the final values, earlier ones may be wrong.
    const last = Math.floor(rand() * n);
    for (let b = 0; b < last; b++) {
      if (rand() < 0.4) {
        batches[b]!.push(rand() < 0.5 ? final[k]! : bar(rand, ts));
      }
    }
    batches[last]!.push(final[k]!);
  });
  // Contiguous slices now and then: a partial file or an incremental window.
  for (const batch of batches) {
    if (rand() < 0.3 && batch.length > 4) {
      const from = Math.floor(rand() * batch.length / 2);
      batch.splice(0, from);
    }
  }
  // Bars whose last appearance was cut must still end final: the batch
  // that cut them re-sends them (a correction file).
  const fix: Bar[] = [];
  for (const [k, ts] of keys.entries()) {
    const lastSeen = batches.findLastIndex((b) => b.some((x) => x.ts === ts));
    const last = lastSeen < 0
      ? undefined
      : batches[lastSeen]!.findLast((x) => x.ts === ts);
    if (last !== final[k]) fix.push(final[k]!);
  }
  if (fix.length > 0) batches.push(fix);
  for (const batch of batches) {
    // Exact duplicates and any order.
    const dupes = batch.filter(() => rand() < 0.1);
    batch.push(...dupes);
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
  }
  return { batches: batches.filter((b) => b.length > 0), final };
}

/** Validate, transform and load one batch the way the runner does. */
async function load(client: SqlClient, raw: pl.DataFrame, tag: string) {
  const { valid, quarantine } = barsDataset.validate(raw, { now: NOW });
  assert.equal(quarantine.height, 0, `${tag}: quarantined`);
  const transformed = barsDataset.transform(valid, { now: NOW });
  const loadId = crypto.randomUUID();
  await loadBatch(client, {
    dataset: barsDataset,
    batch: transformed.batch,
    quarantine,
    loadId,
    runId: loadId,
    source: "property",
    now: NOW,
    wallClock: clock,
  });
}

/** Columns of each table compared, the key first. */
const TABLES: Record<string, string[]> = {
  bars_1m: [
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "ret",
    "ma_close_20",
    "ma_volume_20",
    "vwap",
  ],
  bars_5m: [
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "vwap",
    "bar_count",
  ],
};
TABLES.bars_1h = TABLES.bars_5m!;
TABLES.bars_1d = TABLES.bars_5m!;

/**
 * The sequences (numbers) whose `P<i>` rows of `table` differ from the
 * `Q<i>` rows, any column, a row missing on either side.
 */
async function differing(client: SqlClient, table: string): Promise<number[]> {
  const cols = TABLES[table]!;
  const side = (prefix: string) =>
    `(SELECT substr(symbol, 2)::int AS seq, ${cols.join(", ")} FROM ${table}
       WHERE symbol LIKE '${prefix}%')`;
  const { rows } = await client.query<{ seq: number }>(
    `SELECT DISTINCT coalesce(p.seq, q.seq) AS seq
       FROM ${side("P")} p FULL JOIN ${side("Q")} q
         ON p.seq = q.seq AND p.ts = q.ts
      WHERE p.seq IS NULL OR q.seq IS NULL
         OR (${cols.map((c) => `p.${c}`).join(", ")})
            IS DISTINCT FROM (${cols.map((c) => `q.${c}`).join(", ")})
      ORDER BY 1`,
  );
  return rows.map((r) => r.seq);
}

/**
 * The sequences with a row of an aggregate table that differs from the
 * aggregate of its bars_1m rows (computed here independently: plain sums,
 * a tolerance for the VWAP), or a bucket missing either way.
 */
async function notAggregates(
  client: SqlClient,
  table: string,
  width: string,
): Promise<number[]> {
  const { rows } = await client.query<{ seq: number }>(
    `WITH expected AS (
       SELECT symbol, date_bin($1::interval, ts, 'epoch'::timestamptz) AS ts,
              (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high,
              min(low) AS low, (array_agg(close ORDER BY ts DESC))[1] AS close,
              sum(volume) AS volume,
              sum((high + low + close) / 3 * volume) / nullif(sum(volume), 0)
                AS vwap,
              count(*)::int AS bar_count
         FROM bars_1m GROUP BY 1, 2
     )
     SELECT DISTINCT substr(coalesce(e.symbol, a.symbol), 2)::int AS seq
       FROM expected e FULL JOIN ${table} a
         ON a.symbol = e.symbol AND a.ts = e.ts
      WHERE a.ts IS NULL OR e.ts IS NULL
         OR (a.open, a.high, a.low, a.close, a.volume, a.bar_count)
            IS DISTINCT FROM (e.open, e.high, e.low, e.close, e.volume, e.bar_count)
         OR (a.vwap IS NULL) <> (e.vwap IS NULL)
         OR abs(a.vwap - e.vwap) > 1e-9 * abs(e.vwap)
      ORDER BY 1`,
    [width],
  );
  return rows.map((r) => r.seq);
}

dbTest(
  `loads of random batch sequences end as one load of the final data (${SEQUENCES} sequences, seed ${SEED})`,
  async (db) => {
    // Sequence i loads symbol P<i> batch by batch and Q<i> once. Symbols
    // are independent, so batch b of every sequence goes in one load (the
    // runner's loads hold many symbols too), and all the Q<i> in a last one.
    const rand = random(SEED);
    const sequences = Array.from({ length: SEQUENCES }, () => sequence(rand));
    const only = Deno.env.get("DERIVE_ONLY");
    const chosen = sequences.map((s, i) => ({ ...s, i }))
      .filter((s) => only === undefined || s.i === Number(only));
    const rounds = Math.max(...chosen.map((s) => s.batches.length));
    for (let b = 0; b < rounds; b++) {
      const frames = chosen.filter((s) => s.batches[b])
        .map((s) => rawFrame(`P${s.i}`, s.batches[b]!, `P${s.i}/${b}`));
      await load(
        db.client,
        pl.concat(frames, { how: "vertical" }),
        `round ${b}`,
      );
    }
    await load(
      db.client,
      pl.concat(chosen.map((s) => rawFrame(`Q${s.i}`, s.final, `Q${s.i}`)), {
        how: "vertical",
      }),
      "final",
    );
    const replay = (what: string, seqs: number[]) => {
      const i = seqs[0];
      const s = i === undefined ? undefined : sequences[i];
      if (s === undefined) return what;
      return `${what}: sequences ${seqs.join(", ")}; replay the first with ` +
        `DERIVE_SEED=${SEED} DERIVE_SEQUENCES=${SEQUENCES} DERIVE_ONLY=${i} ` +
        `(${s.batches.length} batch(es) of ${
          s.batches.map((b) => b.length).join(", ")
        } bars)`;
    };
    for (const table of Object.keys(TABLES)) {
      const seqs = await differing(db.client, table);
      assert.deepEqual(
        seqs,
        [],
        replay(`${table} differs from one load of the final data`, seqs),
      );
    }
    for (
      const [table, width] of [
        ["bars_5m", "5 minutes"],
        ["bars_1h", "1 hour"],
        ["bars_1d", "1 day"],
      ] as const
    ) {
      const seqs = await notAggregates(db.client, table, width);
      assert.deepEqual(
        seqs,
        [],
        replay(`${table} is not the aggregate of its bars_1m rows`, seqs),
      );
    }
    // The generator did what it promises: several batches, corrections,
    // duplicates.
    const all = sequences.flatMap((s) => s.batches);
    assert.ok(
      sequences.filter((s) => s.batches.length > 2).length > SEQUENCES / 3,
    );
    assert.ok(all.some((b) => new Set(b.map((x) => x.ts)).size < b.length));
  },
);
