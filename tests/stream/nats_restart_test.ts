/**
 * The consumer across a NATS restart: a NATS server of the test's own (its
 * own port and store) is stopped in the middle of a consumer's run and
 * started again on the same store; the consumer reconnects and ends with
 * every bar loaded exactly once, as one load of them.
 */
import assert from "node:assert/strict";
import { dbTest, openTestDatabase } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import {
  connectNats,
  consume,
  ensureStreams,
  produce,
  readCommitted,
  streamTopology,
} from "@pipeline/stream/mod.ts";
import {
  AS_OF,
  assertSameBars,
  frameSource,
  loadOnce,
  startStreamRun,
  testBars,
} from "./_nats.ts";

/** The nats-server binary: on PATH, else Debian's /usr/sbin. */
function natsServerPath(): string {
  for (
    const dir of (Deno.env.get("PATH") ?? "").split(":").concat("/usr/sbin")
  ) {
    try {
      Deno.statSync(`${dir}/nats-server`);
      return `${dir}/nats-server`;
    } catch { /* not there */ }
  }
  throw new Error("nats-server is not installed (apt-get install nats-server)");
}

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts nats-server on `port` with JetStream stored in `dir`; waits until it listens. */
async function startServer(port: number, dir: string) {
  const child = new Deno.Command(natsServerPath(), {
    args: ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not listen on ${port}`);
}

dbTest(
  "consume() across a NATS server restart loads every bar once, as one load of them",
  async (db) => {
    const port = freePort();
    const store = await Deno.makeTempDir();
    let server = await startServer(port, store);
    const nats = await connectNats(`nats://127.0.0.1:${port}`);
    try {
      const topology = streamTopology({
        prefix: "restart",
        streamPrefix: "RESTART",
      });
      await ensureStreams(nats.jsm, topology);
      const raw = testBars({ symbols: ["AAPL", "MSFT", "AMZN"] });
      await produce(frameSource(raw), { topology }, { js: nats.js });

      const run = await startStreamRun(db.client);
      const position = { stream: topology.rawStream, consumer: "sluice-etl" };
      const consuming = consume(
        {
          topology,
          batchSize: 100,
          untilIdleMs: 3000,
          ackWaitMs: 2000,
          pipeline: "stream-test",
          runId: run.run_id,
          dataDir: await Deno.makeTempDir(),
          snapshot: false,
        },
        { client: db.client, nats, clock: fixedClock(AS_OF) },
        run,
      );
      // Stop the server once a third is committed; start it again 1 s later.
      for (;;) {
        const c = await readCommitted(db.client, position);
        if (c.lastSeq >= raw.height / 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      server.kill("SIGKILL");
      await server.status;
      await new Promise((r) => setTimeout(r, 1000));
      server = await startServer(port, store);
      const report = await consuming;

      const committed = await readCommitted(db.client, position);
      assert.equal(committed.lastSeq, raw.height);
      assert.equal(committed.above.size, 0);
      assert.ok(report.committed + report.skipped >= raw.height);
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
    } finally {
      await nats.nc.close().catch(() => {});
      server.kill("SIGKILL");
      await server.status;
      await Deno.remove(store, { recursive: true }).catch(() => {});
    }
  },
);
