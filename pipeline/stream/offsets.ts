/**
 * What a stream consumer has committed (`etl_stream_offsets`,
 * `etl_stream_acks`, migration 0010), written in the transaction of the
 * data it loaded, so a message is loaded once even when JetStream delivers
 * it again after a crash.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { EtlError } from "@pipeline/errors.ts";

/** A consumer of a stream: the key of its offsets. */
export interface StreamPosition {
  stream: string;
  consumer: string;
}

/** What a consumer has committed. */
export interface Committed {
  /** Every sequence at or below it is committed. */
  lastSeq: number;
  /** Committed sequences above {@link lastSeq} (a gap below them is open). */
  above: ReadonlySet<number>;
}

/** Whether `seq` is committed. */
export function isCommitted(committed: Committed, seq: number): boolean {
  return seq <= committed.lastSeq || committed.above.has(seq);
}

/** Reads what `position` has committed (nothing yet: last sequence 0). */
export async function readCommitted(
  client: SqlClient,
  position: StreamPosition,
): Promise<Committed> {
  const { rows } = await client.query<{ last_seq: string | number }>(
    `SELECT last_seq FROM etl_stream_offsets WHERE stream = $1 AND consumer = $2`,
    [position.stream, position.consumer],
  );
  const lastSeq = Number(rows[0]?.last_seq ?? 0);
  const acks = await client.query<{ seq: string | number }>(
    `SELECT seq FROM etl_stream_acks
     WHERE stream = $1 AND consumer = $2 AND seq > $3`,
    [position.stream, position.consumer, lastSeq],
  );
  return { lastSeq, above: new Set(acks.rows.map((r) => Number(r.seq))) };
}

/**
 * Thrown inside the load's transaction when another process committed some
 * of the batch's messages first (the transaction rolls back; the caller
 * drops them and loads the rest).
 */
export class AlreadyCommitted extends EtlError {
  /** The sequences committed by the other process. */
  readonly seqs: number[];
  constructor(position: StreamPosition, seqs: number[]) {
    super(
      `${seqs.length} messages of ${position.stream}/${position.consumer} were committed by another process (first ${
        seqs[0]
      }); retrying without them`,
      { stage: "load", transient: true },
    );
    this.seqs = seqs;
  }
}

/** Options of {@link commitSequences}. */
export interface CommitOptions {
  /** The load committing them. */
  loadId: string;
  now: Date;
  /**
   * Every sequence below it is gone from the stream (its first sequence):
   * nothing below can be delivered, so the offset may move up to it.
   */
  firstAvailable?: number | undefined;
}

/**
 * Records `seqs` as committed in the caller's transaction (the load's):
 * locks the consumer's row, refuses ({@link AlreadyCommitted}) sequences
 * committed before, adds the rest and moves `last_seq` up over every
 * sequence now committed without a gap. Returns the new `last_seq`.
 */
export async function commitSequences(
  tx: SqlClient,
  position: StreamPosition,
  seqs: readonly number[],
  options: CommitOptions,
): Promise<number> {
  const { stream, consumer } = position;
  const at = options.now.toISOString();
  await tx.query(
    `INSERT INTO etl_stream_offsets (stream, consumer, last_seq, updated_at)
     VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING`,
    [stream, consumer, at],
  );
  const locked = await tx.query<{ last_seq: string | number }>(
    `SELECT last_seq FROM etl_stream_offsets
     WHERE stream = $1 AND consumer = $2 FOR UPDATE`,
    [stream, consumer],
  );
  let last = Number(locked.rows[0]?.last_seq ?? 0);
  const array = `{${[...new Set(seqs)].join(",")}}`;
  const taken = await tx.query<{ seq: string | number }>(
    `SELECT seq FROM etl_stream_acks
     WHERE stream = $1 AND consumer = $2 AND seq = ANY($3::bigint[])`,
    [stream, consumer, array],
  );
  const again = [
    ...seqs.filter((s) => s <= last),
    ...taken.rows.map((r) => Number(r.seq)),
  ].sort((a, b) => a - b);
  if (again.length > 0) throw new AlreadyCommitted(position, again);
  if (options.firstAvailable && options.firstAvailable - 1 > last) {
    last = options.firstAvailable - 1;
  }
  // The common case: the batch continues right above `last` with no gap
  // (one process, in order). The offset moves up over that run without
  // writing and deleting a row per message; only the rest is written.
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  let head = 0;
  while (head < sorted.length && sorted[head] === last + 1) {
    last++;
    head++;
  }
  const rest = sorted.slice(head);
  if (rest.length === 0) {
    const above = await tx.query(
      `SELECT 1 FROM etl_stream_acks
       WHERE stream = $1 AND consumer = $2 AND seq = $3`,
      [stream, consumer, last + 1],
    );
    // rows, not rowCount: PGlite counts no rows for a SELECT.
    if (above.rows.length === 0) {
      await tx.query(
        `UPDATE etl_stream_offsets SET last_seq = $3, load_id = $4,
           updated_at = $5
         WHERE stream = $1 AND consumer = $2`,
        [stream, consumer, last, options.loadId, at],
      );
      return last;
    }
  }
  await tx.query(
    `INSERT INTO etl_stream_acks (stream, consumer, seq, load_id)
     SELECT $1, $2, s, $4 FROM unnest($3::bigint[]) AS s`,
    [stream, consumer, `{${rest.join(",")}}`, options.loadId],
  );
  // The run of consecutive sequences starting right above `last`: in it,
  // seq - row_number() is constant and equal to `last`.
  const run = await tx.query<{ top: string | number | null }>(
    `SELECT max(seq) AS top FROM (
       SELECT seq, seq - row_number() OVER (ORDER BY seq) AS g
       FROM etl_stream_acks
       WHERE stream = $1 AND consumer = $2 AND seq > $3
     ) a WHERE g = $3`,
    [stream, consumer, last],
  );
  const top = run.rows[0]?.top;
  if (top !== null && top !== undefined) last = Number(top);
  await tx.query(
    `UPDATE etl_stream_offsets SET last_seq = $3, load_id = $4, updated_at = $5
     WHERE stream = $1 AND consumer = $2`,
    [stream, consumer, last, options.loadId, at],
  );
  await tx.query(
    `DELETE FROM etl_stream_acks
     WHERE stream = $1 AND consumer = $2 AND seq <= $3`,
    [stream, consumer, last],
  );
  return last;
}
