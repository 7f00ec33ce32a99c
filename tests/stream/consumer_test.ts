/**
 * consume() against the real NATS server: produced bars load exactly once,
 * the tables equal one load of the same bars, duplicate and out-of-order
 * re-sends change nothing, and poison messages are quarantined without
 * stopping the consumer.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { dbTest, openTestDatabase } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { type Dataset, DATASETS } from "@pipeline/datasets/mod.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  consume,
  type ConsumeOptions,
  ensureConsumer,
  fetchAvailable,
  produce,
  readCommitted,
  streamMetrics,
} from "@pipeline/stream/mod.ts";
import {
  AS_OF,
  assertSameBars,
  frameSource,
  loadOnce,
  quarantined,
  startStreamRun,
  testBars,
  type TestNats,
  withTestNats,
} from "./_nats.ts";

/** Consumes until idle for 1.5 s. */
async function consumeAll(
  client: SqlClient,
  { nats, topology }: TestNats,
  options: Partial<ConsumeOptions> = {},
  // deno-lint-ignore no-explicit-any
  datasets?: Record<string, Dataset<any>>,
) {
  const summary = await startStreamRun(client);
  return await consume({
    topology,
    batchSize: 200,
    untilIdleMs: 1500,
    pipeline: "stream-test",
    runId: summary.run_id,
    dataDir: await Deno.makeTempDir(),
    snapshot: false,
    ...options,
  }, {
    client,
    nats,
    clock: fixedClock(AS_OF),
    ...(datasets ? { datasets } : {}),
  }, summary);
}

dbTest(
  "consume() loads produced bars once; the tables equal one load of them; re-sends change nothing",
  async (db) => {
    await withTestNats(async (t) => {
      const raw = testBars();
      const events: { rows: number; dataset: string }[] = [];
      const sub = t.nats.nc.subscribe(t.topology.loaded, {
        callback: (_err, m) => {
          events.push(m.json());
        },
      });
      const produced = await produce(frameSource(raw), {
        topology: t.topology,
      }, { js: t.nats.js });
      assert.equal(produced.published, raw.height);
      // The same records again under the same ids: the stream drops them.
      const again = await produce(frameSource(raw), {
        topology: t.topology,
      }, { js: t.nats.js });
      assert.equal(again.duplicates, raw.height);

      const first = await consumeAll(db.client, t);
      assert.equal(first.committed, raw.height);
      assert.equal(first.lastSeq, raw.height);
      assert.ok(first.batches >= Math.ceil(raw.height / 200));

      const reference = await openTestDatabase("pglite");
      try {
        const run = await startStreamRun(reference.client);
        await loadOnce(reference.client, raw, {
          dataDir: await Deno.makeTempDir(),
          runId: run.run_id,
        });
        await assertSameBars(db.client, reference.client);
        assert.deepEqual(
          await quarantined(db.client),
          await quarantined(reference.client),
        );

        // Every record once more, newest first, under new ids: out of order
        // and duplicated, it leaves the tables as they were. (A key sent
        // twice with different values is a correction, and the last one
        // wins; those are left out of the reversed re-send.)
        const once = raw.filter(
          pl.col("symbol").isNotNull().and(pl.col("ts").isNotNull()),
        ).filter(pl.col("record").count().over("symbol", "ts").eq(1));
        const rows = once.toRecords();
        for (let i = rows.length - 1; i >= 0; i--) {
          await t.nats.js.publish(
            t.topology.raw("bars"),
            JSON.stringify(rows[i]),
            { msgID: `again/${i}` },
          );
        }
        const second = await consumeAll(db.client, t);
        assert.equal(second.committed, rows.length);
        assert.equal(second.skipped, 0);
        await assertSameBars(db.client, reference.client);
      } finally {
        await reference.dispose();
      }
      await t.nats.nc.flush();
      sub.unsubscribe();
      const committed = await readCommitted(db.client, {
        stream: t.topology.rawStream,
        consumer: "sluice-etl",
      });
      assert.ok(committed.lastSeq > raw.height);
      assert.equal(committed.above.size, 0);
      assert.ok(events.length >= first.batches);
      assert.ok(events.every((e) => e.dataset === "bars"));
    });
  },
);

dbTest(
  "consume() quarantines unreadable messages and one that fails every delivery, and loads the rest",
  async (db) => {
    await withTestNats(async (t) => {
      const bars = DATASETS.bars!;
      // A dataset whose load fails whenever the batch holds symbol ZZZZ.
      // deno-lint-ignore no-explicit-any
      const failing: Dataset<any> = {
        ...bars,
        async load(tx, batch, options) {
          const frame = bars.primary(batch);
          if (frame && frame.getColumn("symbol").toArray().includes("ZZZZ")) {
            throw new EtlError("ZZZZ cannot be loaded", { stage: "load" });
          }
          return await bars.load(tx, batch, options);
        },
      };
      const raw = testBars({ symbols: ["AAPL"] }).head(30);
      const rows = raw.toRecords();
      const poisonRow = { ...rows[0]!, symbol: "ZZZZ", record: "poison:ZZZZ" };
      const subject = t.topology.raw("bars");
      const publish = (s: string, body: string, id: string) =>
        t.nats.js.publish(s, body, { msgID: id });
      for (const [i, row] of rows.slice(0, 15).entries()) {
        await publish(subject, JSON.stringify(row), `good/${i}`);
      }
      await publish(subject, "{not json", "bad/json");
      await publish(subject, JSON.stringify([1, 2]), "bad/array");
      await publish(
        t.topology.raw("nosuch"),
        JSON.stringify(rows[0]),
        "bad/ds",
      );
      await publish(subject, JSON.stringify(poisonRow), "bad/load");
      for (const [i, row] of rows.slice(15).entries()) {
        await publish(subject, JSON.stringify(row), `good/${15 + i}`);
      }

      const report = await consumeAll(db.client, t, { maxDeliveries: 2 }, {
        ...DATASETS,
        bars: failing,
      });
      assert.equal(report.poison, 4);
      assert.equal(report.committed, rows.length);
      const { rows: loaded } = await db.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM bars_1m",
      );
      const valid = bars.validate(raw, { now: AS_OF }).valid;
      assert.equal(
        loaded[0]!.n,
        valid.unique({ subset: ["symbol", "ts"] }).height,
      );
      const { rows: q } = await db.client.query<
        { dataset: string; reason: string }
      >(
        `SELECT dataset, reason FROM quarantine WHERE field = 'message' ORDER BY reason`,
      );
      assert.deepEqual(q.map((r) => r.dataset).sort(), [
        "bars",
        "bars",
        "bars",
        "nosuch",
      ]);
      const reasons = q.map((r) => r.reason).join("\n");
      assert.match(reasons, /^failed 2 deliveries: .*ZZZZ cannot be loaded/m);
      assert.match(reasons, /^not JSON: /m);
      assert.match(reasons, /^not a JSON object$/m);
      assert.match(reasons, /^no dataset named nosuch$/m);
      const info = await t.nats.jsm.streams.info(t.topology.quarantineStream);
      assert.equal(info.state.messages, 4);
      const committed = await readCommitted(db.client, {
        stream: t.topology.rawStream,
        consumer: "sluice-etl",
      });
      assert.equal(committed.lastSeq, rows.length + 4);
      assert.equal(committed.above.size, 0);
      // Nothing left: a second consumer run finds nothing to do.
      const again = await consumeAll(db.client, t, { maxDeliveries: 2 });
      assert.equal(again.received, 0);
    });
  },
);

dbTest(
  "consume() stopped with the next batch pulled ahead sends it back at once: the next consumer loads it before the ack wait",
  async (db) => {
    await withTestNats(async (t) => {
      const raw = testBars();
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      // A full first batch (200 of 780 pending): the next 200 are pulled
      // while it loads, and the signal stops the consumer after its commit.
      const summary = await startStreamRun(db.client);
      const stop = new AbortController();
      const metrics = streamMetrics();
      const first = await consume({
        topology: t.topology,
        batchSize: 200,
        ackWaitMs: 60_000,
        pipeline: "stream-test",
        runId: summary.run_id,
        dataDir: await Deno.makeTempDir(),
        snapshot: false,
      }, {
        client: db.client,
        nats: t.nats,
        clock: fixedClock(AS_OF),
        signal: stop.signal,
        metrics: {
          ...metrics,
          batch(o) {
            metrics.batch(o);
            stop.abort();
          },
        },
      }, summary);
      assert.equal(first.stopped, "signal");
      assert.equal(first.committed, 200);
      // Held until the ack wait (60 s), the pulled-ahead messages would leave
      // a gap the ordered consumer waits at, past this 20 s bound.
      const next = await startStreamRun(db.client);
      const rest = await consume({
        topology: t.topology,
        batchSize: 200,
        ackWaitMs: 60_000,
        untilIdleMs: 1500,
        pipeline: "stream-test",
        runId: next.run_id,
        dataDir: await Deno.makeTempDir(),
        snapshot: false,
      }, {
        client: db.client,
        nats: t.nats,
        clock: fixedClock(AS_OF),
        signal: AbortSignal.timeout(20_000),
      }, next);
      assert.equal(rest.stopped, "idle");
      assert.equal(first.committed + rest.committed, raw.height);
      assert.equal(
        (await readCommitted(db.client, {
          stream: t.topology.rawStream,
          consumer: "sluice-etl",
        })).lastSeq,
        raw.height,
      );
    });
  },
);

Deno.test("two pulls at once on one consumer each take a contiguous run of the stream", async () => {
  await withTestNats(async (t) => {
    const stream = t.topology.rawStream;
    for (let i = 0; i < 600; i++) {
      await t.nats.js.publish(t.topology.raw("bars"), `{"n":${i}}`);
    }
    await ensureConsumer(t.nats.jsm, stream, "pullers", {});
    const pull = async () => {
      const consumer = await t.nats.js.consumers.get(stream, "pullers");
      const msgs = await fetchAvailable(consumer, 300, {
        waitMs: 2000,
        lingerMs: 0,
        signal: undefined,
      });
      for (const m of msgs) m.ack();
      return msgs.map((m) => m.seq);
    };
    // Side by side, JetStream would hand two open pulls every other
    // message (1, 3, 5... and 2, 4, 6...): in stream order the processes
    // would then load one message each, taking turns.
    const [a, b] = await Promise.all([pull(), pull()]);
    const runs = [a, b].sort((x, y) => x[0]! - y[0]!);
    assert.deepEqual(
      runs.map((seqs) => [seqs.length, seqs.at(-1)! - seqs[0]! + 1]),
      [[300, 300], [300, 300]],
      `pulls took ${runs.map((r) => r.slice(0, 4).join(",")).join(" | ")}`,
    );
    assert.equal(runs[1]![0], 301);
  });
});
