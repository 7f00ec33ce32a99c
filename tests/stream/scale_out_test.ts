/**
 * Scale-out: two consumers on one durable consumer share the work (each
 * loads part of the stream) with no message loaded twice, and the tables
 * equal one load of the bars. Prints the time of one consumer against two.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { createServerDatabase, openTestDatabase, SERVER_URL } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { newRunSummary } from "@pipeline/runner/mod.ts";
import { consume, produce, readCommitted } from "@pipeline/stream/mod.ts";
import {
  AS_OF,
  assertSameBars,
  frameSource,
  loadOnce,
  startStreamRun,
  testBars,
  type TestNats,
  withTestNats,
} from "./_nats.ts";

const SYMBOLS = ["AAPL", "MSFT", "AMZN", "GOOGL", "META", "NVDA"];

/** `n` consumers on one durable until idle; returns their reports and seconds. */
async function consumers(t: TestNats, clients: SqlClient[]) {
  const dataDir = await Deno.makeTempDir();
  const t0 = performance.now();
  const reports = await Promise.all(clients.map(async (client) => {
    const run = await startStreamRun(client);
    return await consume(
      {
        topology: t.topology,
        batchSize: 200,
        untilIdleMs: 2000,
        pipeline: "stream-test",
        runId: run.run_id,
        dataDir,
        snapshot: false,
      },
      { client, nats: t.nats, clock: fixedClock(AS_OF) },
      run,
    );
  }));
  return { reports, seconds: (performance.now() - t0) / 1000 - 2 };
}

Deno.test({
  name:
    "two consumers on one durable share the stream, load no message twice, and leave the tables of one load [postgres]",
  ignore: !SERVER_URL,
}, async () => {
  // Without conflicting duplicates of a key: out of order, the last one to
  // commit would win, and which one that is depends on the race.
  const raw = testBars({ symbols: SYMBOLS, sessions: 2 }).filter(
    pl.col("record").count().over("symbol", "ts").eq(1),
  );
  const seconds: number[] = [];
  const deferred: number[] = [];
  for (const n of [1, 2]) {
    await withTestNats(async (t) => {
      await produce(frameSource(raw), { topology: t.topology }, {
        js: t.nats.js,
      });
      const db = await createServerDatabase(SERVER_URL!);
      const clients = await Promise.all(
        Array.from({ length: n }, () => connectPostgres(db.url)),
      );
      try {
        await migrateToLatest(clients[0]!);
        const { reports, seconds: s } = await consumers(t, clients);
        seconds.push(s);
        deferred.push(reports.reduce((a, r) => a + r.deferred, 0));
        const committed = reports.reduce((a, r) => a + r.committed, 0);
        assert.equal(committed, raw.height, "each message loaded once");
        if (n === 2) {
          assert.ok(reports.every((r) => r.committed > 0), "both took work");
          // A batch behind the other process's waits its turn rather than
          // bouncing back (8,000 to 10,000 sent back when it did not wait).
          const sentBack = reports.reduce((a, r) => a + r.deferred, 0);
          assert.ok(
            sentBack < raw.height / 2,
            `${sentBack} messages sent back to wait`,
          );
        }
        const c = await readCommitted(clients[0]!, {
          stream: t.topology.rawStream,
          consumer: "sluice-etl",
        });
        assert.equal(c.lastSeq, raw.height);
        assert.equal(c.above.size, 0);
        const reference = await openTestDatabase("pglite");
        try {
          const run = newRunSummary({
            runId: crypto.randomUUID(),
            pipeline: "file",
            source: "file",
            trigger: "manual",
            startedAt: new Date(),
          });
          await recordRunStart(reference.client, run);
          await loadOnce(reference.client, raw, {
            dataDir: await Deno.makeTempDir(),
            runId: run.run_id,
          });
          await assertSameBars(clients[0]!, reference.client);
        } finally {
          await reference.dispose();
        }
      } finally {
        for (const c of clients) await c.close();
        await db.drop();
      }
    });
  }
  console.log(
    `stream scale-out: ${raw.height} bars, 1 consumer ${
      seconds[0]!.toFixed(1)
    } s, 2 consumers ${
      seconds[1]!.toFixed(1)
    } s (in one process, 2 cores); messages sent back to wait: ${
      deferred.join(", ")
    }`,
  );
});
