/**
 * readStreamRange() against the real NATS server: the messages of a range
 * of sequences, read past the durable consumer, whose acknowledgements
 * leave the durable consumer's deliveries as they were.
 */
import assert from "node:assert/strict";
import { ensureConsumer, fetchAvailable } from "@pipeline/stream/mod.ts";
import { readStreamRange } from "@pipeline/stream/stream_range.ts";
import { withTestNats } from "./_nats.ts";

Deno.test("readStreamRange() reads a range by sequence; its acks do not touch the durable consumer", async () => {
  await withTestNats(async (t) => {
    const stream = t.topology.rawStream;
    for (let i = 1; i <= 10; i++) {
      await t.nats.js.publish(t.topology.raw("bars"), `{"n":${i}}`);
    }
    await ensureConsumer(t.nats.jsm, stream, "durable", {});
    const consumer = await t.nats.js.consumers.get(stream, "durable");
    const delivered = await fetchAvailable(consumer, 10, {
      waitMs: 2000,
      lingerMs: 0,
      signal: undefined,
    });
    assert.equal(delivered.length, 10);

    const range = await readStreamRange(t.nats.js, stream, 4, 3);
    assert.deepEqual(range.map((m) => m.seq), [4, 5, 6]);
    assert.deepEqual(range.map((m) => m.json<{ n: number }>().n), [4, 5, 6]);
    assert.equal(range[0]!.subject, t.topology.raw("bars"));
    for (const m of range) m.ack();
    await t.nats.nc.flush();
    // The durable consumer still waits for its own acks of all ten.
    assert.equal((await consumer.info()).num_ack_pending, 10);
    // Past the end of the stream: what there is.
    assert.deepEqual(
      (await readStreamRange(t.nats.js, stream, 9, 5, 1000)).map((m) => m.seq),
      [9, 10],
    );
    for (const m of delivered) m.ack();
  });
});
