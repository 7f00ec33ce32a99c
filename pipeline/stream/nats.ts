/**
 * The NATS connection and the JetStream streams and consumers of live
 * ingestion, created or updated idempotently (a second producer or consumer
 * starting finds them as the first left them).
 * @module
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  type StreamConfig,
} from "@nats-io/jetstream";
import { EtlError } from "@pipeline/errors.ts";
import type { StreamTopology } from "@pipeline/stream/topology.ts";

import { DEFAULT_NATS_URL } from "@pipeline/stream/nats_url.ts";

export { DEFAULT_NATS_URL } from "@pipeline/stream/nats_url.ts";

/** An open NATS connection with its JetStream client and manager. */
export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Drains and closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to `url` (a `nats://host:port`). Throws an `EtlError` (stage
 * `config`, transient: the server may come back) naming the server.
 */
export async function connectNats(
  url: string = DEFAULT_NATS_URL,
): Promise<Nats> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name: "sluice",
      // Keep trying while a server restarts under a running consumer.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (err) {
    throw new EtlError(`cannot connect to NATS at ${url}`, {
      stage: "config",
      transient: true,
      cause: err,
    });
  }
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

/** Retention limits of the streams (defaults in brackets). */
export interface StreamLimits {
  /** Oldest message kept, ms [7 days]. */
  maxAgeMs?: number;
  /** Bytes kept per stream, oldest discarded first [1 GiB]. */
  maxBytes?: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped, ms [2 minutes]. */
  duplicateWindowMs?: number;
}

const NS_PER_MS = 1_000_000;

/**
 * Creates or updates the raw, valid and quarantine streams of `topology`
 * (limits retention, file storage, oldest discarded first). Returns the
 * names of the streams it created.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  topology: StreamTopology,
  limits: StreamLimits = {},
): Promise<string[]> {
  const {
    maxAgeMs = 7 * 86_400_000,
    maxBytes = 1024 ** 3,
    duplicateWindowMs = 120_000,
  } = limits;
  const created: string[] = [];
  const streams: [string, string][] = [
    [topology.rawStream, `${topology.prefix}.raw.>`],
    [topology.validStream, `${topology.prefix}.valid.>`],
    [topology.quarantineStream, `${topology.prefix}.quarantine.>`],
  ];
  for (const [name, subject] of streams) {
    const config: Partial<StreamConfig> & { name: string } = {
      name,
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: maxAgeMs * NS_PER_MS,
      max_bytes: maxBytes,
      duplicate_window: duplicateWindowMs * NS_PER_MS,
    };
    const exists = await jsm.streams.info(name).then(() => true, () => false);
    if (exists) {
      await jsm.streams.update(name, config);
    } else {
      await jsm.streams.add(config);
      created.push(name);
    }
  }
  return created;
}

/** Options of {@link ensureConsumer}. */
export interface ConsumerOptions {
  /** How long a delivered message may stay unacknowledged, ms [60 s]. */
  ackWaitMs?: number | undefined;
  /** Messages delivered and not yet acknowledged, at most [41 000]. */
  maxAckPending?: number | undefined;
}

/**
 * Pull requests the consumer holds at once. One: a second process's pull is
 * refused at once (409) and retried, instead of waiting beside the first,
 * where JetStream would hand the two requests the messages in turn (one to
 * each); so every pull takes a contiguous run of the stream, which processes
 * sharing the consumer in stream order load one after the other instead of
 * one message each, taking turns.
 */
export const MAX_WAITING = 1;

/**
 * Creates the durable pull consumer `durable` on `stream` (every message,
 * explicit acks, unlimited deliveries: the consumer itself quarantines a
 * message after its own limit, one pull request at a time: see
 * {@link MAX_WAITING}), or updates its ack wait and ack limit. Returns the
 * consumer's pull requests at once: JetStream cannot change it on a
 * consumer created without it (delete the consumer once to have it; the
 * committed sequences are in the database).
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  options: ConsumerOptions = {},
): Promise<{ maxWaiting: number }> {
  const ackWait = (options.ackWaitMs ?? 60_000) * NS_PER_MS;
  const maxAckPending = options.maxAckPending ?? 41_000;
  const info = await jsm.consumers.info(stream, durable).catch(() => null);
  if (info) {
    await jsm.consumers.update(stream, durable, {
      ack_wait: ackWait,
      max_ack_pending: maxAckPending,
    });
    return { maxWaiting: info.config.max_waiting ?? 512 };
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: -1,
    ack_wait: ackWait,
    max_ack_pending: maxAckPending,
    max_waiting: MAX_WAITING,
  });
  return { maxWaiting: MAX_WAITING };
}
