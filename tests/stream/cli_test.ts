/**
 * `etl produce` and `etl stream` as real processes: the producer publishes a
 * source at a rate; the consumer serves its metrics while it loads, and
 * SIGTERM ends it after the batch in hand with exit status 0.
 */
import assert from "node:assert/strict";
import { spawnEtl } from "../ops/_process.ts";
import { readCommitted } from "@pipeline/stream/mod.ts";
import { connect } from "@pipeline/load/client.ts";
import { withTestNats } from "./_nats.ts";

Deno.test("etl produce publishes a source; etl stream serves /metrics and exits 0 on SIGTERM after its batch", async () => {
  await withTestNats(async (t) => {
    const dataDir = await Deno.makeTempDir();
    const produce = spawnEtl([
      "produce",
      ...t.flags,
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--as-of",
      "2026-11-21T22:00:00Z",
      "--rate",
      "5000/s",
      "--json",
    ]);
    const produced = await produce.done;
    assert.equal(produced.code, 0, produced.stderr);
    const report = JSON.parse(produced.stdout);
    assert.ok(report.published > 300, produced.stdout);
    assert.equal(report.dataset, "bars");

    const stream = spawnEtl([
      "stream",
      ...t.flags,
      "--data-dir",
      dataDir,
      "--batch-size",
      "50",
      "--metrics-port",
      "0",
      "--json",
    ]);
    const url = (await stream.waitForLine(/metrics on http/)).match(
      /(http:\/\/\S+\/metrics)/,
    )![1]!;
    await stream.waitForLine(/committed 50 bars messages/);
    const metrics = await (await fetch(url)).text();
    assert.match(
      metrics,
      /sluice_stream_messages_total\{outcome="committed"\} \d+/,
    );
    assert.match(
      metrics,
      /sluice_stream_batch_size_count\{dataset="bars"\} \d+/,
    );
    assert.match(metrics, /sluice_stream_publish_to_commit_seconds_sum/);
    assert.match(metrics, /sluice_stream_consumer_lag_messages \d+/);
    assert.match(metrics, /sluice_stream_messages_per_second \d/);
    stream.kill("SIGTERM");
    const out = await stream.done;
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /stopped \(signal\)/);
    const consumed = JSON.parse(out.stdout);
    assert.equal(consumed.stopped, "signal");
    assert.ok(consumed.committed >= 50);

    // What it acknowledged is what it committed: nothing half-done.
    const client = await connect({
      kind: "pglite",
      dataDir: `${dataDir}/pglite`,
    });
    try {
      const committed = await readCommitted(client, {
        stream: t.topology.rawStream,
        consumer: "sluice-etl",
      });
      assert.equal(committed.lastSeq, consumed.lastSeq);
      assert.equal(committed.lastSeq, consumed.committed);
      const info = await t.nats.jsm.consumers.info(
        t.topology.rawStream,
        "sluice-etl",
      );
      assert.equal(info.ack_floor.stream_seq, committed.lastSeq);
    } finally {
      await client.close();
    }
  });
});
