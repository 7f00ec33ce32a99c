/**
 * Live updates: one shared check of the catalogue for all listeners, one
 * event per committed run, the watch stopped when nobody listens; stream
 * notices passed on as they come.
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { createLiveHub } from "@pipeline/serve/live.ts";
import { listenForLoads } from "@pipeline/serve/nats_events.ts";
import { serveFixture } from "./_fixture.ts";

/** Reads server-sent events from `body` until `count` `change` events came. */
async function changes(
  body: ReadableStream<Uint8Array>,
  count: number,
  timeoutMs: number,
): Promise<unknown[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const found: unknown[] = [];
  let text = "";
  const deadline = Date.now() + timeoutMs;
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (found.length < count && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        if (/^event: change$/m.test(block)) {
          found.push(JSON.parse(/^data: (.*)$/m.exec(block)![1]!));
        }
      }
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return found;
}

Deno.test("a committed run is one event to every listener", async () => {
  const fixture = await serveFixture();
  const hub = createLiveHub({ dataDir: fixture.dataDir, intervalMs: 100 });
  try {
    const a = new AbortController();
    const b = new AbortController();
    const streamA = hub.stream(a.signal);
    const streamB = hub.stream(b.signal);
    assert.equal(hub.listeners(), 2);
    const seen = Promise.all([
      changes(streamA, 1, 30_000),
      changes(streamB, 1, 30_000),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await fixture.run("2026-11-23T21:30:00Z");
    const [eventsA, eventsB] = await seen;
    assert.equal(eventsA.length, 1);
    assert.equal(eventsB.length, 1);
    assert.equal((eventsA[0] as { kind: string }).kind, "run");
    a.abort();
    b.abort();
    assert.equal(hub.listeners(), 0);
  } finally {
    hub.close();
    await fixture.dispose();
  }
});

Deno.test("a stream notice is passed on as a batch event", async () => {
  const dir = await Deno.makeTempDir();
  const hub = createLiveHub({ dataDir: dir, intervalMs: 100 });
  try {
    const stop = new AbortController();
    const stream = hub.stream(stop.signal);
    const seen = changes(stream, 1, 10_000);
    hub.publish({
      kind: "batch",
      at: new Date().toISOString(),
      detail: { dataset: "bars", rows: 3 },
    });
    const [event] = await seen;
    assert.deepEqual((event as { detail: unknown }).detail, {
      dataset: "bars",
      rows: 3,
    });
    stop.abort();
  } finally {
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with NATS, a stream's load notice reaches the open pages", async () => {
  const url = Deno.env.get("NATS_URL") ?? "nats://127.0.0.1:4222";
  const subject = `t${crypto.randomUUID().slice(0, 8)}.events.loaded`;
  const dir = await Deno.makeTempDir();
  const hub = createLiveHub({ dataDir: dir, intervalMs: 100 });
  const stopListening = await listenForLoads({
    url,
    hub,
    subject,
    warn: (m) => {
      throw new Error(m);
    },
  });
  const publisher = await connect({ servers: url });
  try {
    const stop = new AbortController();
    const seen = changes(hub.stream(stop.signal), 1, 10_000);
    await publisher.flush();
    publisher.publish(
      subject,
      JSON.stringify({ dataset: "bars", rows: 5, load_id: "x" }),
    );
    const [event] = await seen;
    assert.equal((event as { kind: string }).kind, "batch");
    assert.deepEqual((event as { detail: unknown }).detail, {
      dataset: "bars",
      rows: 5,
      load_id: "x",
    });
    stop.abort();
  } finally {
    await publisher.close();
    await stopListening();
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});
