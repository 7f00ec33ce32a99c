/**
 * The producer: a source's records published one JSON message per record on
 * `<prefix>.raw.<dataset>`, at a bounded rate, each with its `Nats-Msg-Id`
 * (a record re-sent within the stream's duplicate window is stored once).
 * @module
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Source } from "@pipeline/extract/source.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { StreamTopology } from "@pipeline/stream/topology.ts";
import { type RecordMessage, recordMessage } from "@pipeline/stream/message.ts";
import type { StreamSide } from "@pipeline/datasets/dataset.ts";

/** Options of {@link produce}. */
export interface ProduceOptions {
  topology: StreamTopology;
  /** Messages per second at most. Default unlimited. */
  rate?: number | undefined;
  /** Stop publishing after this many ms. Default when the source ends. */
  durationMs?: number | undefined;
  /** Publishes awaited at once. Default 256. */
  inFlight?: number;
  /**
   * Publish each record as these sides, one message per side on
   * `<prefix>.raw.<side.subject>` with the side's fields (and `record`),
   * instead of one message on the dataset's subject.
   */
  sides?: readonly StreamSide[] | undefined;
  /**
   * Per side subject, how much later than its record's other sides each of
   * its messages is published, ms (a late side, for tests and demos).
   */
  delays?: Readonly<Record<string, number>> | undefined;
}

/** What {@link produce} needs from outside. */
export interface ProduceDeps {
  js: JetStreamClient;
  log?: (line: string) => void;
  /** Stops publishing at the next message when it aborts. */
  signal?: AbortSignal | undefined;
  /** Milliseconds now (monotonic). Default `performance.now`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a producer published. */
export interface ProduceReport {
  dataset: string;
  /** Messages the stream stored. */
  published: number;
  /** Messages the stream dropped as repeats of a `Nats-Msg-Id`. */
  duplicates: number;
  /** Partitions that failed to extract, with their errors. */
  failed: { partition: string; error: string }[];
  /** Whether it stopped early (`durationMs` or the signal). */
  stopped: boolean;
  seconds: number;
}

/**
 * Publishes every record of every partition of `source`, partition by
 * partition, in each partition's order. A partition that fails to extract
 * is reported and skipped; a publish the server refuses throws.
 */
export async function produce(
  source: Source,
  options: ProduceOptions,
  deps: ProduceDeps,
): Promise<ProduceReport> {
  const { topology, rate, durationMs, inFlight = 256, sides } = options;
  const delays = options.delays ?? {};
  const { js, signal, log = () => {} } = deps;
  const now = deps.now ?? (() => performance.now());
  const sleep = deps.sleep ??
    ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const subject = topology.raw(source.dataset);
  const report: ProduceReport = {
    dataset: source.dataset,
    published: 0,
    duplicates: 0,
    failed: [],
    stopped: false,
    seconds: 0,
  };
  const start = now();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let failure: unknown = null;
  /** Delayed side messages, oldest due first. */
  const delayed: { due: number; m: RecordMessage }[] = [];
  const send = async (m: RecordMessage) => {
    const p: Promise<void> = js.publish(m.subject, m.data, { msgID: m.msgId })
      .then((ack) => {
        if (ack.duplicate) report.duplicates++;
        else report.published++;
      }, (err) => {
        failure ??= err;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  };
  const sendDue = async (upTo: number) => {
    while (delayed.length > 0 && delayed[0]!.due <= upTo) {
      await send(delayed.shift()!.m);
    }
  };
  /** The messages of one record: one, or one per side. */
  const messagesOf = (row: Record<string, unknown>, n: number) => {
    if (!sides) {
      return [{ m: recordMessage(subject, source.dataset, row, n), delay: 0 }];
    }
    return sides.map((side) => {
      const out: Record<string, unknown> = {};
      for (const [to, field] of Object.entries(side.fields)) {
        out[to] = row[field] ?? null;
      }
      if (typeof row.record === "string") out.record = row.record;
      return {
        m: recordMessage(topology.raw(side.subject), side.subject, out, n),
        delay: delays[side.subject] ?? 0,
      };
    });
  };
  const over = () =>
    signal?.aborted === true ||
    (durationMs !== undefined && now() - start >= durationMs);

  outer: for (const partition of source.partitions()) {
    let rows: Record<string, unknown>[];
    try {
      rows = (await partition.extract(signal)).toRecords();
    } catch (err) {
      report.failed.push({
        partition: partition.name,
        error: errorMessage(err),
      });
      log(`produce: partition ${partition.name} failed: ${errorMessage(err)}`);
      continue;
    }
    for (const row of rows) {
      if (over()) {
        report.stopped = true;
        break outer;
      }
      if (rate) {
        const due = start + (sent / rate) * 1000;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
      }
      await sendDue(now());
      for (const { m, delay } of messagesOf(row, sent)) {
        if (delay > 0) delayed.push({ due: now() + delay, m });
        else await send(m);
      }
      sent++;
      if (failure) break outer;
    }
  }
  // The late sides still held back, each at its time.
  while (delayed.length > 0 && !failure && signal?.aborted !== true) {
    const wait = delayed[0]!.due - now();
    if (wait > 0) await sleep(wait);
    await sendDue(now());
  }
  await Promise.all(pending);
  if (failure) {
    throw new EtlError(
      `cannot publish on ${subject} after ${report.published} messages: ${
        errorMessage(failure)
      }`,
      { stage: "extract", transient: true, cause: failure },
    );
  }
  report.seconds = (now() - start) / 1000;
  return report;
}
