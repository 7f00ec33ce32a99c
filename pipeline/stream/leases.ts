/**
 * What each process sharing a durable consumer holds in hand
 * (`etl_stream_leases`, migration 0014): the range of stream sequences it
 * received and has not committed yet, renewed while it works. A gap that
 * no live lease covers is held by nobody: JetStream counted its messages
 * as delivered to a pull that had already ended on the client (nats.js
 * ends a pull after missed heartbeats while the server still holds it), or
 * to a process that died without renewing; the process waiting for it
 * reads it from the stream instead of waiting out the ack wait.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { StreamPosition } from "@pipeline/stream/offsets.ts";

/** A process's lease on a consumer. */
export interface Lease extends StreamPosition {
  /** The holding process (its run id). */
  holder: string;
  /** How long a lease lives without renewal, ms (the ack wait). */
  ttlMs: number;
}

/**
 * Records (or renews) that `lease.holder` holds `first..last`; drops the
 * consumer's leases that expired (their holders died).
 */
export async function holdLease(
  client: SqlClient,
  lease: Lease,
  first: number,
  last: number,
): Promise<void> {
  await client.query(
    `WITH gone AS (
       DELETE FROM etl_stream_leases
       WHERE stream = $1 AND consumer = $2 AND holder <> $3
         AND renewed_at < now() - $6::float8 * interval '1 millisecond'
     )
     INSERT INTO etl_stream_leases
       (stream, consumer, holder, first_seq, last_seq, renewed_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (stream, consumer, holder) DO UPDATE SET
       first_seq = excluded.first_seq, last_seq = excluded.last_seq,
       renewed_at = excluded.renewed_at`,
    [lease.stream, lease.consumer, lease.holder, first, last, lease.ttlMs],
  );
}

/** Records that `lease.holder` holds nothing now. */
export async function releaseLease(
  client: SqlClient,
  lease: Lease,
): Promise<void> {
  await client.query(
    `DELETE FROM etl_stream_leases
     WHERE stream = $1 AND consumer = $2 AND holder = $3`,
    [lease.stream, lease.consumer, lease.holder],
  );
}

/** What other live processes hold around a gap. */
export interface HeldElsewhere {
  /** Whether another live process's lease covers the gap. */
  held: boolean;
  /** The first sequence above the gap another live process holds. */
  nextHeld: number | null;
}

/** What live processes other than `lease.holder` hold at and above `gap`. */
export async function heldElsewhere(
  client: SqlClient,
  lease: Lease,
  gap: number,
): Promise<HeldElsewhere> {
  const { rows } = await client.query<
    { held: boolean | null; next_held: string | number | null }
  >(
    `SELECT bool_or(first_seq <= $4 AND last_seq >= $4) AS held,
       min(first_seq) FILTER (WHERE first_seq > $4) AS next_held
     FROM etl_stream_leases
     WHERE stream = $1 AND consumer = $2 AND holder <> $3
       AND renewed_at >= now() - $5::float8 * interval '1 millisecond'`,
    [lease.stream, lease.consumer, lease.holder, gap, lease.ttlMs],
  );
  const row = rows[0];
  return {
    held: row?.held === true,
    nextHeld: row?.next_held == null ? null : Number(row.next_held),
  };
}

/**
 * Takes the gap from `gap` up to `below` (excluded) for `lease.holder`
 * when no other live process holds `gap`: its lease then runs from `gap`
 * to `last` (the end of what it holds), so a second process waiting for
 * the same gap leaves it alone. Claims are taken one at a time (a lock on
 * the leases). Returns the end (excluded) of the range taken, below what
 * another process holds, or null when another process holds `gap`.
 */
export async function claimGap(
  client: SqlClient,
  lease: Lease,
  gap: number,
  below: number,
  last: number,
): Promise<number | null> {
  return await client.transaction(async (tx) => {
    await tx.query(`LOCK TABLE etl_stream_leases IN SHARE ROW EXCLUSIVE MODE`);
    const others = await heldElsewhere(tx, lease, gap);
    if (others.held) return null;
    await holdLease(tx, lease, gap, Math.max(gap, last));
    return Math.min(below, others.nextHeld ?? Infinity);
  });
}
