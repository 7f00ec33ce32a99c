/**
 * The symbol dimension as a slowly changing dimension of type 2, the log of
 * its loads, the reference view its daily lake snapshots are taken from, and
 * the record of snapshot diffs.
 *
 * - `dim_symbol`: one row per version of a symbol. A version is valid over
 *   `[valid_from, valid_to)`; the open one has `valid_to` NULL and
 *   `is_current` true (a partial unique index allows one per symbol). A
 *   deferred constraint trigger refuses overlapping versions of a symbol at
 *   commit (an exclusion constraint would need btree_gist, which PGlite
 *   does not load by default). `load_id` is the run that opened the
 *   version, `closed_load_id` the run that closed it.
 * - `dim_symbol_loads`: one row per reference load: its as-of time, whether
 *   it was full, how changes were found (`compare`: every symbol against
 *   the current versions; `diff`: the keys of a snapshot diff) and counts.
 * - `symbols_ref`: the current versions, stamped with the as-of time of the
 *   latest load; the snapshot stage exports it per date to the lake.
 * - `etl_snapshot_diffs`: the keys a diff of two daily snapshots found
 *   inserted, updated or deleted, and `etl_snapshot_diff_summary` counting
 *   them per diff.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE dim_symbol (
      symbol_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      symbol text NOT NULL,
      name text NOT NULL,
      exchange text NOT NULL,
      currency text NOT NULL,
      sector text,
      row_hash text NOT NULL,
      valid_from timestamptz NOT NULL,
      valid_to timestamptz,
      is_current boolean NOT NULL,
      load_id uuid NOT NULL,
      closed_load_id uuid,
      CONSTRAINT dim_symbol_valid_range
        CHECK (valid_to IS NULL OR valid_to >= valid_from),
      CONSTRAINT dim_symbol_current_is_open
        CHECK (is_current = (valid_to IS NULL)),
      CONSTRAINT dim_symbol_closed_by
        CHECK ((closed_load_id IS NULL) = (valid_to IS NULL))
    )`.execute(db);
  await sql`
    CREATE UNIQUE INDEX dim_symbol_one_current ON dim_symbol (symbol)
      WHERE is_current`.execute(db);
  await sql`
    CREATE INDEX dim_symbol_history ON dim_symbol (symbol, valid_from)`
    .execute(db);
  await sql`
    CREATE FUNCTION dim_symbol_no_overlap() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (
        SELECT 1 FROM dim_symbol o
        WHERE o.symbol = NEW.symbol AND o.symbol_key <> NEW.symbol_key
          AND tstzrange(o.valid_from, o.valid_to)
              && tstzrange(NEW.valid_from, NEW.valid_to)
      ) THEN
        RAISE EXCEPTION 'dim_symbol: versions of % overlap at [%, %)',
          NEW.symbol, NEW.valid_from, coalesce(NEW.valid_to::text, 'open')
          USING ERRCODE = 'exclusion_violation';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER dim_symbol_no_overlap
      AFTER INSERT OR UPDATE OF symbol, valid_from, valid_to ON dim_symbol
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION dim_symbol_no_overlap()`.execute(db);
  await sql`
    CREATE TABLE dim_symbol_loads (
      load_id uuid PRIMARY KEY,
      as_of timestamptz NOT NULL,
      full_load boolean NOT NULL,
      method text NOT NULL CHECK (method IN ('compare', 'diff')),
      base_date date,
      rows integer NOT NULL,
      opened integer NOT NULL,
      closed integer NOT NULL,
      unchanged integer NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE VIEW symbols_ref AS
    SELECT d.symbol, d.name, d.exchange, d.currency, d.sector, d.row_hash,
           l.as_of
    FROM dim_symbol d
    CROSS JOIN (
      SELECT as_of FROM dim_symbol_loads
      ORDER BY as_of DESC, recorded_at DESC LIMIT 1
    ) l
    WHERE d.is_current`.execute(db);
  await sql`
    CREATE TABLE etl_snapshot_diffs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      table_name text NOT NULL,
      from_date date NOT NULL,
      to_date date NOT NULL,
      change text NOT NULL CHECK (change IN ('insert', 'update', 'delete')),
      key jsonb NOT NULL,
      run_id uuid NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (table_name, from_date, to_date, key)
    )`.execute(db);
  await sql`
    CREATE VIEW etl_snapshot_diff_summary AS
    SELECT table_name, from_date, to_date, run_id,
           count(*) FILTER (WHERE change = 'insert')::int AS inserted,
           count(*) FILTER (WHERE change = 'update')::int AS updated,
           count(*) FILTER (WHERE change = 'delete')::int AS deleted,
           max(recorded_at) AS recorded_at
    FROM etl_snapshot_diffs
    GROUP BY table_name, from_date, to_date, run_id`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP VIEW IF EXISTS etl_snapshot_diff_summary`.execute(db);
  await sql`DROP TABLE IF EXISTS etl_snapshot_diffs`.execute(db);
  await sql`DROP VIEW IF EXISTS symbols_ref`.execute(db);
  await sql`DROP TABLE IF EXISTS dim_symbol_loads`.execute(db);
  await sql`DROP TABLE IF EXISTS dim_symbol`.execute(db);
  await sql`DROP FUNCTION IF EXISTS dim_symbol_no_overlap()`.execute(db);
}
