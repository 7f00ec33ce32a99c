/**
 * validateStream() against the real NATS server: raw records split into
 * valid and quarantine subjects with reasons, and the valid ones consumed
 * with `from: "valid"` leave the tables of one load of the raw records.
 */
import assert from "node:assert/strict";
import { dbTest, openTestDatabase } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { consume, produce, validateStream } from "@pipeline/stream/mod.ts";
import {
  AS_OF,
  assertSameBars,
  frameSource,
  loadOnce,
  startStreamRun,
  testBars,
  withTestNats,
} from "./_nats.ts";

dbTest(
  "validateStream() republishes valid records and rejects with reasons; the valid ones load as one load of the raw",
  async (db) => {
    await withTestNats(async (t) => {
      const raw = testBars({ symbols: ["AAPL"] });
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      await t.nats.js.publish(t.topology.raw("bars"), "garbage", {
        msgID: "garbage",
      });
      const report = await validateStream({
        topology: t.topology,
        batchSize: 1000,
        untilIdleMs: 1500,
      }, { nats: t.nats, clock: fixedClock(AS_OF) });

      const expected = DATASETS.bars!.validate(raw, { now: AS_OF });
      assert.equal(report.received, raw.height + 1);
      assert.equal(report.valid, expected.valid.height);
      assert.equal(report.rejected, expected.quarantine.height + 1);
      const valid = await t.nats.jsm.streams.info(t.topology.validStream);
      assert.equal(valid.state.messages, expected.valid.height);
      const rejected = await t.nats.jsm.streams.info(
        t.topology.quarantineStream,
      );
      assert.equal(rejected.state.messages, expected.quarantine.height + 1);
      const first = await t.nats.jsm.streams.getMessage(
        t.topology.quarantineStream,
        { seq: rejected.state.first_seq },
      );
      const notice = first!.json<Record<string, string>>();
      assert.ok(notice.record && notice.field && notice.reason && notice.raw);

      const run = await startStreamRun(db.client);
      const consumed = await consume(
        {
          topology: t.topology,
          from: "valid",
          untilIdleMs: 1500,
          pipeline: "stream-test",
          runId: run.run_id,
          dataDir: await Deno.makeTempDir(),
          snapshot: false,
        },
        { client: db.client, nats: t.nats, clock: fixedClock(AS_OF) },
        run,
      );
      assert.equal(consumed.committed, expected.valid.height);
      assert.equal(consumed.poison, 0);

      const reference = await openTestDatabase("pglite");
      try {
        await recordRunStart(reference.client, { ...run });
        await loadOnce(reference.client, raw, {
          dataDir: await Deno.makeTempDir(),
          runId: run.run_id,
        });
        await assertSameBars(db.client, reference.client);
      } finally {
        await reference.dispose();
      }
    });
  },
);
