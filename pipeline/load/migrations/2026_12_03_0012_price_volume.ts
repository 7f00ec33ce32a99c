/**
 * The price and volume join of the stream (`pipeline/datasets/price_volume/`):
 *
 * - `price_volume_sides`: each side that arrived, a price or a volume per
 *   (symbol, minute), with the time of the commit that brought it: the
 *   join's state, pending sides included, written in the transaction of the
 *   stream's offsets so a crash between the two sides loses neither;
 * - `price_volume`: the matched pairs and their price-volume ratio;
 * - `price_volume_unmatched`: sides whose partner did not come within the
 *   wait, and partners that came after it ended, with the reason.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE price_volume_sides (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      side text NOT NULL CHECK (side IN ('prices', 'volumes')),
      value double precision NOT NULL,
      arrived_at timestamptz NOT NULL,
      pending boolean NOT NULL,
      load_id text NOT NULL,
      PRIMARY KEY (symbol, ts, side)
    )`.execute(db);
  await sql`
    CREATE INDEX price_volume_sides_pending ON price_volume_sides (arrived_at)
    WHERE pending
  `.execute(db);
  await sql`
    CREATE TABLE price_volume (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      price double precision NOT NULL,
      volume double precision NOT NULL,
      ratio double precision,
      load_id text NOT NULL,
      PRIMARY KEY (symbol, ts)
    )`.execute(db);
  await sql`
    CREATE TABLE price_volume_unmatched (
      symbol text NOT NULL,
      ts timestamptz NOT NULL,
      side text NOT NULL,
      value double precision NOT NULL,
      arrived_at timestamptz NOT NULL,
      reason text NOT NULL,
      recorded_at timestamptz NOT NULL,
      load_id text NOT NULL,
      PRIMARY KEY (symbol, ts, side)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS price_volume_unmatched`.execute(db);
  await sql`DROP TABLE IF EXISTS price_volume`.execute(db);
  await sql`DROP TABLE IF EXISTS price_volume_sides`.execute(db);
}
