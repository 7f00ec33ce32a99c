/**
 * Stream consumers' offsets: what a consumer of a JetStream stream has
 * committed, written in the same transaction as the data it loaded.
 *
 * `etl_stream_offsets` holds per (stream, consumer) `last_seq`, the highest
 * stream sequence such that every message at or below it was committed
 * (loaded or quarantined). `etl_stream_acks` holds committed sequences above
 * it: a batch that commits out of order (a crash left an earlier batch
 * unacknowledged and JetStream redelivers it later, or two processes share
 * the consumer) waits there until the gap below it closes. A message at or
 * below `last_seq`, or in `etl_stream_acks`, is never loaded again.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_stream_offsets (
      stream text NOT NULL,
      consumer text NOT NULL,
      last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
      load_id text,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (stream, consumer)
    )`.execute(db);
  await sql`
    CREATE TABLE etl_stream_acks (
      stream text NOT NULL,
      consumer text NOT NULL,
      seq bigint NOT NULL,
      load_id text,
      PRIMARY KEY (stream, consumer, seq),
      FOREIGN KEY (stream, consumer) REFERENCES etl_stream_offsets
        ON DELETE CASCADE
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_stream_acks`.execute(db);
  await sql`DROP TABLE IF EXISTS etl_stream_offsets`.execute(db);
}
