/**
 * The price and volume join, in SQL, in the load's transaction (the one
 * that also commits the stream's offsets):
 *
 * 1. the batch's sides are merged into `price_volume_sides` (a re-sent side
 *    with another value corrects it; its arrival time stays the first);
 * 2. a side whose partner was already recorded unmatched (it came after the
 *    wait ended) is recorded unmatched too, with that reason;
 * 3. `price_volume` is recomputed from the warehouse for the keys the batch
 *    touched: every (symbol, minute) with both sides and no unmatched record;
 * 4. {@link settleJoin}: sides whose partner did not arrive within the wait
 *    are recorded in `price_volume_unmatched`.
 *
 * The wait is measured in commit time (`now()` of the transaction that
 * brought the side, against `now()` of the one that settles), so it is the
 * same whether the consumer ran on or crashed and restarted in between.
 * @module
 */
import type pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { UpsertResult } from "@pipeline/load/upsert.ts";
import { frameToCsv } from "@pipeline/load/_copy.ts";

/** The batch of the join: the valid sides, one per (symbol, ts, side). */
export interface PriceVolumeBatch {
  sides: pl.DataFrame;
}

/** What {@link loadJoin} and {@link settleJoin} need. */
export interface JoinOptions {
  loadId: string;
  /** The wait for the other side, ms. */
  waitMs: number;
}

/**
 * Merges the batch's sides, recomputes the touched pairs and records the
 * sides whose wait ran out. Returns the tables' counts.
 */
export async function loadJoin(
  tx: SqlClient,
  batch: PriceVolumeBatch,
  options: JoinOptions,
): Promise<UpsertResult[]> {
  const { sides } = batch;
  await tx.exec(
    `CREATE TEMP TABLE stage_pv_sides (
       symbol text, ts timestamptz, side text, value double precision
     ) ON COMMIT DROP`,
  );
  if (sides.height > 0) {
    await tx.copyFrom(
      `COPY stage_pv_sides FROM STDIN (FORMAT csv)`,
      frameToCsv(sides, ["symbol", "ts", "side", "value"]),
    );
  }
  const merged = await tx.query<{ inserted: boolean }>(
    `INSERT INTO price_volume_sides AS s
       (symbol, ts, side, value, arrived_at, pending, load_id)
     SELECT symbol, ts, side, value, now(), true, $1 FROM stage_pv_sides
     ON CONFLICT (symbol, ts, side) DO UPDATE
       SET value = EXCLUDED.value, load_id = EXCLUDED.load_id
       WHERE s.value IS DISTINCT FROM EXCLUDED.value
     RETURNING (xmax = 0) AS inserted`,
    [options.loadId],
  );
  const inserted = merged.rows.filter((r) => r.inserted).length;
  const late = await tx.query(
    `INSERT INTO price_volume_unmatched AS u
       (symbol, ts, side, value, arrived_at, reason, recorded_at, load_id)
     SELECT s.symbol, s.ts, s.side, s.value, now(),
            'arrived after the wait for its ' ||
              CASE s.side WHEN 'prices' THEN 'volume' ELSE 'price' END ||
              ' ended (' || o.reason || ')',
            now(), $1
     FROM stage_pv_sides s
     JOIN price_volume_unmatched o
       ON o.symbol = s.symbol AND o.ts = s.ts AND o.side <> s.side
     ON CONFLICT (symbol, ts, side) DO UPDATE SET value = EXCLUDED.value
       WHERE u.value IS DISTINCT FROM EXCLUDED.value`,
    [options.loadId],
  );
  const joined = await tx.query<{ inserted: boolean }>(
    `INSERT INTO price_volume AS j (symbol, ts, price, volume, ratio, load_id)
     SELECT p.symbol, p.ts, p.value, v.value,
            CASE WHEN v.value > 0 THEN p.value / v.value END, $1
     FROM (SELECT DISTINCT symbol, ts FROM stage_pv_sides) k
     JOIN price_volume_sides p
       ON p.symbol = k.symbol AND p.ts = k.ts AND p.side = 'prices'
     JOIN price_volume_sides v
       ON v.symbol = k.symbol AND v.ts = k.ts AND v.side = 'volumes'
     WHERE NOT EXISTS (
       SELECT 1 FROM price_volume_unmatched u
       WHERE u.symbol = k.symbol AND u.ts = k.ts)
     ON CONFLICT (symbol, ts) DO UPDATE
       SET price = EXCLUDED.price, volume = EXCLUDED.volume,
           ratio = EXCLUDED.ratio, load_id = EXCLUDED.load_id
       WHERE (j.price, j.volume) IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.volume)
     RETURNING (xmax = 0) AS inserted`,
    [options.loadId],
  );
  // Both sides of a touched key here: neither waits any more.
  await tx.query(
    `UPDATE price_volume_sides s SET pending = false
     FROM (SELECT DISTINCT symbol, ts FROM stage_pv_sides) k
     WHERE s.pending AND s.symbol = k.symbol AND s.ts = k.ts
       AND (SELECT count(*) FROM price_volume_sides o
            WHERE o.symbol = k.symbol AND o.ts = k.ts) = 2`,
  );
  const expired = await settleJoin(tx, options);
  const pairs = joined.rows.filter((r) => r.inserted).length;
  return [
    {
      table: "price_volume_sides",
      rows: sides.height,
      inserted,
      updated: merged.rows.length - inserted,
      unchanged: sides.height - merged.rows.length,
    },
    {
      table: "price_volume",
      rows: joined.rows.length,
      inserted: pairs,
      updated: joined.rows.length - pairs,
      unchanged: 0,
    },
    {
      table: "price_volume_unmatched",
      rows: (late.rowCount ?? 0) + expired,
      inserted: (late.rowCount ?? 0) + expired,
      updated: 0,
      unchanged: 0,
    },
  ];
}

/**
 * Records in `price_volume_unmatched` every side that has waited longer
 * than the wait without its partner (once). Returns how many it recorded.
 */
export async function settleJoin(
  tx: SqlClient,
  options: JoinOptions,
): Promise<number> {
  // Only the pending sides are read (a partial index holds them), so the
  // cost follows what waits, not the table's history.
  const { rowCount } = await tx.query(
    `WITH expired AS (
       UPDATE price_volume_sides SET pending = false
       WHERE pending AND arrived_at <= now() - make_interval(secs => $2::float8)
       RETURNING symbol, ts, side, value, arrived_at
     )
     INSERT INTO price_volume_unmatched
       (symbol, ts, side, value, arrived_at, reason, recorded_at, load_id)
     SELECT e.symbol, e.ts, e.side, e.value, e.arrived_at,
            'no ' || CASE e.side WHEN 'prices' THEN 'volume' ELSE 'price' END ||
              ' within ' || $2::text || ' s of its arrival',
            now(), $1
     FROM expired e
     ON CONFLICT DO NOTHING`,
    [options.loadId, String(options.waitMs / 1000)],
  );
  return rowCount ?? 0;
}
