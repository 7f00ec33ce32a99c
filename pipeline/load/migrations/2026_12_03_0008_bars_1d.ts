/**
 * Daily bars: `bars_1d`, one row per symbol and UTC day (an NYSE session lies
 * inside one UTC day), with the columns of `bars_5m` (OHLCV, `vwap`,
 * `bar_count`, `load_id`), `PARTITION BY RANGE (ts)` like the other fact
 * tables.
 *
 * - A DEFAULT partition `bars_1d_default`, and one monthly partition
 *   `bars_1d_pYYYY_MM` per month that holds one-minute bars already. Later
 *   partitions are made by the load (`ensurePartitions`).
 * - `etl_partitioning` row: `month` granularity (a month of daily bars is
 *   ~21 rows per symbol; day partitions would make a table per row), one
 *   period ahead, no retention.
 * - The days of the existing one-minute bars are aggregated into it, as the
 *   load's derived asset does (open first and close last by ts, sums in ts
 *   order, vwap null when the volume is 0); each day's `load_id` is that of
 *   its newest one-minute bar.
 *
 * `down` drops the table and its configuration.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

/** `YYYY-MM` → the next month, `YYYY-MM`. */
function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE bars_1d (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      open double precision NOT NULL,
      high double precision NOT NULL,
      low double precision NOT NULL,
      close double precision NOT NULL,
      volume double precision NOT NULL,
      vwap double precision,
      bar_count integer NOT NULL,
      load_id uuid NOT NULL,
      PRIMARY KEY (symbol, ts)
    ) PARTITION BY RANGE (ts)`.execute(db);
  await sql`CREATE TABLE bars_1d_default PARTITION OF bars_1d DEFAULT`
    .execute(db);
  await sql`INSERT INTO etl_partitioning (table_name, granularity, ahead)
    VALUES ('bars_1d', 'month', 1)`.execute(db);

  const { rows } = await sql<{ month: string }>`
    SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM') AS month
    FROM bars_1m ORDER BY 1`.execute(db);
  for (const { month } of rows) {
    if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`bad month ${month}`);
    const name = `bars_1d_p${month.replace("-", "_")}`;
    await sql`
      CREATE TABLE ${sql.table(name)} PARTITION OF bars_1d
      FOR VALUES FROM (${sql.raw(`'${month}-01 00:00:00+00'`)})
        TO (${sql.raw(`'${nextMonth(month)}-01 00:00:00+00'`)})`.execute(db);
  }
  await sql`
    INSERT INTO bars_1d (symbol, ts, open, high, low, close, volume, vwap,
                         bar_count, load_id)
    SELECT symbol, day,
           (array_agg(open ORDER BY ts))[1],
           max(high), min(low),
           (array_agg(close ORDER BY ts DESC))[1],
           sum(volume ORDER BY ts),
           sum((high + low + close) / 3 * volume ORDER BY ts)
             / nullif(sum(volume ORDER BY ts), 0),
           count(*)::int,
           (array_agg(load_id ORDER BY ts DESC))[1]
    FROM (SELECT b.*, date_trunc('day', ts AT TIME ZONE 'UTC')
                        AT TIME ZONE 'UTC' AS day
          FROM bars_1m b) d
    GROUP BY symbol, day`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS bars_1d`.execute(db);
  await sql`DELETE FROM etl_partitioning WHERE table_name = 'bars_1d'`
    .execute(db);
}
