/**
 * Stream consumers' leases: which stream sequences each process sharing a
 * durable consumer holds in hand (received, not yet committed), renewed
 * while it works. A process waiting for a gap in stream order reads the
 * gap from the stream itself when no live lease covers it: JetStream
 * counted those messages as delivered to a pull that had already ended, or
 * to a process that died, and would deliver them again only after the ack
 * wait.
 *
 * Frozen once released: change the schema with a new migration.
 * @module
 */
import { type Kysely, sql } from "kysely";

// deno-lint-ignore no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE etl_stream_leases (
      stream text NOT NULL,
      consumer text NOT NULL,
      holder text NOT NULL,
      first_seq bigint NOT NULL,
      last_seq bigint NOT NULL CHECK (last_seq >= first_seq),
      renewed_at timestamptz NOT NULL,
      PRIMARY KEY (stream, consumer, holder)
    )`.execute(db);
}

// deno-lint-ignore no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS etl_stream_leases`.execute(db);
}
