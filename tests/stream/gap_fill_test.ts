/**
 * A gap no process fills: messages JetStream counts as delivered to a pull
 * whose client is gone (nats.js ends a pull after missed heartbeats while
 * the server still holds it, and the server then delivers into a closed
 * inbox) come back only after the ack wait. The consumer reads such a gap
 * from the stream and loads it, exactly once, unless another live process
 * holds it (its lease).
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import {
  consume,
  type ConsumeReport,
  ensureConsumer,
  produce,
  readCommitted,
} from "@pipeline/stream/mod.ts";
import { holdLease } from "@pipeline/stream/leases.ts";
import {
  AS_OF,
  frameSource,
  startStreamRun,
  testBars,
  type TestNats,
  withTestNats,
} from "./_nats.ts";

const DURABLE = "gap-fill";
/** Longer than any test: a gap held by nobody would wait it out. */
const ACK_WAIT_MS = 600_000;

/** Consumes until idle, or stops after `stopAfterMs` (a failing test ends). */
async function consumeFor(
  client: SqlClient,
  t: TestNats,
  stopAfterMs: number,
): Promise<ConsumeReport> {
  const run = await startStreamRun(client);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), stopAfterMs);
  try {
    return await consume({
      topology: t.topology,
      consumer: DURABLE,
      batchSize: 200,
      untilIdleMs: 1500,
      gapWaitMs: 300,
      ackWaitMs: ACK_WAIT_MS,
      pipeline: "stream-test",
      runId: run.run_id,
      dataDir: await Deno.makeTempDir(),
      snapshot: false,
    }, {
      client,
      nats: t.nats,
      clock: fixedClock(AS_OF),
      signal: stop.signal,
    }, run);
  } finally {
    clearTimeout(timer);
  }
}

dbTest(
  "a gap delivered to a pull that is gone is read from the stream and loaded once; one another process holds is left to it",
  async (db) => {
    await withTestNats(async (t) => {
      const raw = testBars().filter(
        pl.col("record").count().over("symbol", "ts").eq(1),
      );
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      const stream = t.topology.rawStream;
      await ensureConsumer(t.nats.jsm, stream, DURABLE, {
        ackWaitMs: ACK_WAIT_MS,
      });
      // The first 150 messages go to a pull whose client never acks them.
      const lost = await t.nats.js.consumers.get(stream, DURABLE);
      const taken = [];
      for await (
        const m of await lost.fetch({ max_messages: 150, expires: 2000 })
      ) taken.push(m.seq);
      assert.equal(taken.length, 150);

      // Another live process holds them: the consumer leaves them alone.
      const other = {
        stream,
        consumer: DURABLE,
        holder: "another-process",
        ttlMs: ACK_WAIT_MS,
      };
      await holdLease(db.client, other, 1, 150);
      const held = await consumeFor(db.client, t, 4000);
      assert.equal(held.filled, 0);
      assert.equal(held.lastSeq, 0);
      assert.ok(held.deferred > 0, "the rest waited for the gap");

      // Held by nobody: read from the stream, then everything loads.
      await db.client.query(`DELETE FROM etl_stream_leases`);
      const report = await consumeFor(db.client, t, 60_000);
      assert.equal(report.stopped, "idle");
      // The 150, and maybe messages sent back meanwhile (held by nobody
      // until redelivered): those may be read from the stream too.
      assert.ok(report.filled >= 150, `${report.filled} read from the stream`);
      assert.equal(report.committed, raw.height);
      const committed = await readCommitted(db.client, {
        stream,
        consumer: DURABLE,
      });
      assert.equal(committed.lastSeq, raw.height);
      const { rows } = await db.client.query<{ n: string; keys: string }>(
        `SELECT count(*) AS n, count(DISTINCT (symbol, ts)) AS keys
         FROM bars_1m`,
      );
      assert.equal(Number(rows[0]!.n), Number(rows[0]!.keys));
    });
  },
);
