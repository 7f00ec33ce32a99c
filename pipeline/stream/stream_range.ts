/**
 * Reading a range of a stream's messages by sequence, past the durable
 * consumer: how a process sharing a consumer in stream order closes a gap
 * that no process fills (messages JetStream counts as delivered to a pull
 * that had already ended on the client, or held by a process that died),
 * which would otherwise wait out the ack wait.
 * @module
 */
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { DeliverPolicy } from "@nats-io/jetstream";

/**
 * The messages of `stream` from sequence `from`, `count` at most, read by
 * an ephemeral ordered consumer (one pull, not one request per message);
 * fewer when the stream ends first or `timeoutMs` passes. Their
 * acknowledgements do nothing: the durable consumer's own delivery of the
 * same sequences comes later and is acknowledged then (committed by then,
 * it is skipped).
 */
export async function readStreamRange(
  js: JetStreamClient,
  stream: string,
  from: number,
  count: number,
  timeoutMs = 5000,
): Promise<JsMsg[]> {
  if (count <= 0) return [];
  const reader = await js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const out: JsMsg[] = [];
  const it = await reader.fetch({
    max_messages: count,
    expires: Math.max(1000, timeoutMs),
  });
  try {
    for await (const m of it) {
      if (m.seq >= from + count) break;
      out.push(detached(m));
      if (out.length >= count) break;
    }
  } catch {
    // Cut short: what arrived is kept, the rest is read another time.
  } finally {
    await reader.delete().catch(() => {});
  }
  return out;
}

/** `m` with acknowledgements that do nothing (it is no delivery of ours). */
function detached(m: JsMsg): JsMsg {
  const none = () => {};
  const noops: Record<string, unknown> = {
    ack: none,
    nak: none,
    working: none,
    term: none,
    ackAck: () => Promise.resolve(true),
  };
  return new Proxy(m, {
    get(target, key, receiver) {
      if (typeof key === "string" && key in noops) return noops[key];
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
