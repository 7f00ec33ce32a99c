/**
 * Partitioned facts: `bars_1m`, `bars_5m`, `bars_1h` and `weather_hourly`
 * become `PARTITION BY RANGE (ts)` tables with the same columns and primary
 * key (entity, ts), their rows kept.
 *
 * - Each table gets a DEFAULT partition `<table>_default` for rows no range
 *   partition covers, and one monthly partition `<table>_pYYYY_MM` (UTC) per
 *   month its existing rows fall in. Later partitions are made by the load
 *   (`ensurePartitions` in pipeline/warehouse/).
 * - `etl_partitioning`: per table, the granularity of new partitions (`day`
 *   or `month`), how many periods beyond the newest data are created ahead,
 *   and the retention age (NULL: keep forever). Seeded with `month`, 1 ahead,
 *   no retention for the four tables.
 * - `etl_retention`: one row per partition the retention archived to the
 *   lake, detached and dropped.
 * - No index beyond the primary key: the notebooks' queries (one symbol over
 *   a time range, the symbols, a symbol's latest sessions) are served by
 *   (entity, ts), and scans by time across all symbols (the snapshot of a
 *   day, the retention export) are pruned to their month's partition. A
 *   BRIN index on `ts` measured no better than scanning one month of
 *   `bars_1m` (18 ms for a day of 10 symbols) for backfilled data, and every
 *   index costs the bulk COPY.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

/** The fact tables and the entity column of their key. */
const FACTS = [
  { table: "bars_1m", entity: "symbol" },
  { table: "bars_5m", entity: "symbol" },
  { table: "bars_1h", entity: "symbol" },
  { table: "weather_hourly", entity: "location" },
] as const;

/** `YYYY-MM` → the next month, `YYYY-MM`. */
function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_partitioning (
      table_name text PRIMARY KEY,
      granularity text NOT NULL CHECK (granularity IN ('day', 'month')),
      ahead integer NOT NULL DEFAULT 1 CHECK (ahead BETWEEN 0 AND 400),
      retention interval CHECK (retention > interval '0')
    )`.execute(db);
  for (const { table } of FACTS) {
    await sql`INSERT INTO etl_partitioning (table_name, granularity, ahead)
      VALUES (${table}, 'month', 1)`.execute(db);
  }

  for (const { table, entity } of FACTS) {
    const old = `${table}_unpartitioned`;
    await sql`ALTER TABLE ${sql.table(table)} RENAME TO ${sql.table(old)}`
      .execute(db);
    await sql`ALTER INDEX ${sql.table(`${table}_pkey`)}
      RENAME TO ${sql.table(`${old}_pkey`)}`.execute(db);
    await sql`
      CREATE TABLE ${sql.table(table)} (
        LIKE ${sql.table(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
        PRIMARY KEY (${sql.ref(entity)}, ts)
      ) PARTITION BY RANGE (ts)`.execute(db);
    await sql`CREATE TABLE ${sql.table(`${table}_default`)}
      PARTITION OF ${sql.table(table)} DEFAULT`.execute(db);
    const { rows } = await sql<{ month: string }>`
      SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM') AS month
      FROM ${sql.table(old)} ORDER BY 1`.execute(db);
    for (const { month } of rows) {
      if (!/^\d{4}-\d{2}$/.test(month)) throw new Error(`bad month ${month}`);
      const name = `${table}_p${month.replace("-", "_")}`;
      await sql`
        CREATE TABLE ${sql.table(name)} PARTITION OF ${sql.table(table)}
        FOR VALUES FROM (${sql.raw(`'${month}-01 00:00:00+00'`)})
          TO (${sql.raw(`'${nextMonth(month)}-01 00:00:00+00'`)})`
        .execute(db);
    }
    await sql`INSERT INTO ${sql.table(table)} SELECT * FROM ${sql.table(old)}`
      .execute(db);
    await sql`DROP TABLE ${sql.table(old)}`.execute(db);
  }

  await sql`
    CREATE TABLE etl_retention (
      id bigserial PRIMARY KEY,
      table_name text NOT NULL,
      partition_name text NOT NULL,
      range_from timestamptz NOT NULL,
      range_to timestamptz NOT NULL,
      rows bigint NOT NULL,
      exported_files jsonb NOT NULL,
      detached_at timestamptz NOT NULL,
      dropped_at timestamptz,
      run_id uuid NOT NULL
    )`.execute(db);
  // One archive in flight per partition: a rerun finds it and finishes it.
  await sql`CREATE UNIQUE INDEX etl_retention_pending_idx
    ON etl_retention (table_name, partition_name) WHERE dropped_at IS NULL`
    .execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_retention`.execute(db);
  for (const { table, entity } of FACTS) {
    const flat = `${table}_unpartitioned`;
    await sql`
      CREATE TABLE ${sql.table(flat)} (
        LIKE ${sql.table(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS
      )`.execute(db);
    await sql`INSERT INTO ${sql.table(flat)} SELECT * FROM ${sql.table(table)}`
      .execute(db);
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(flat)} RENAME TO ${sql.table(table)}`
      .execute(db);
    await sql`ALTER TABLE ${sql.table(table)}
      ADD PRIMARY KEY (${sql.ref(entity)}, ts)`.execute(db);
  }
  await sql`DROP TABLE IF EXISTS etl_partitioning`.execute(db);
}
