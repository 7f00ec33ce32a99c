/**
 * The validation processor of the staging topology: reads
 * `<prefix>.raw.<dataset>`, validates each micro-batch with its dataset's
 * rules (the runner's validate stage) and republishes every record on
 * `<prefix>.valid.<dataset>` (the message as it came) or
 * `<prefix>.quarantine.<dataset>` (`{record, field, reason, raw}`, one per
 * rejected field), then acknowledges. Its publishes carry message ids
 * derived from the raw stream's sequence, so a batch delivered again after
 * a crash within the streams' duplicate window is not republished twice.
 * @module
 */
import pl from "nodejs-polars";
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import type { Clock } from "@pipeline/clock.ts";
import { type Dataset, DATASETS } from "@pipeline/datasets/mod.ts";
import { subjectTargets } from "@pipeline/datasets/stream_subjects.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { validateBatch } from "@pipeline/runner/mod.ts";
import { ensureConsumer, type Nats } from "@pipeline/stream/nats.ts";
import type { StreamTopology } from "@pipeline/stream/topology.ts";
import { decodeRecord, type RawRecord } from "@pipeline/stream/message.ts";
import { fetchAvailable, rawFrame } from "@pipeline/stream/consumer.ts";

/** Options of {@link validateStream}. */
export interface ValidateStreamOptions {
  topology: StreamTopology;
  /** The durable consumer. Default `sluice-validate`. */
  consumer?: string;
  /** Messages per batch at most. Default 500. */
  batchSize?: number;
  /** The longest wait for a batch to fill, ms. Default 1000. */
  maxWaitMs?: number;
  /** After a first message when none was pending, the wait for more, ms. Default 50. */
  lingerMs?: number;
  /** Return after this long without a message, ms. Default never. */
  untilIdleMs?: number | undefined;
  /** The consumer's ack wait, ms. Default 60 000. */
  ackWaitMs?: number | undefined;
}

/** What {@link validateStream} needs from outside. */
export interface ValidateStreamDeps {
  nats: Nats;
  /** "Now" of the validation rules. */
  clock: Clock;
  log?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  secrets?: readonly string[] | undefined;
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>>;
}

/** What the processor did. */
export interface ValidateStreamReport {
  received: number;
  /** Records republished as valid. */
  valid: number;
  /** Quarantine notices published (one per rejected field or message). */
  rejected: number;
  stopped: "idle" | "signal";
}

/** One rejected record, as published on the quarantine subject. */
interface Rejection {
  record: string;
  field: string;
  reason: string;
  raw: string;
}

/** Runs the processor until idle or the signal. */
export async function validateStream(
  options: ValidateStreamOptions,
  deps: ValidateStreamDeps,
): Promise<ValidateStreamReport> {
  const {
    topology,
    consumer: durable = "sluice-validate",
    batchSize = 500,
    maxWaitMs = 1000,
    lingerMs = 50,
    untilIdleMs,
  } = options;
  const { nats, clock, signal } = deps;
  const log = deps.log ?? (() => {});
  const datasets = deps.datasets ?? DATASETS;
  const targets = subjectTargets(datasets);
  const stream = topology.rawStream;
  await ensureConsumer(nats.jsm, stream, durable, {
    ackWaitMs: options.ackWaitMs,
  });
  let consumer: Consumer = await nats.js.consumers.get(stream, durable);
  const report: ValidateStreamReport = {
    received: 0,
    valid: 0,
    rejected: 0,
    stopped: "idle",
  };

  const reject = (dataset: string, seq: number, r: Rejection, n: number) =>
    nats.js.publish(topology.quarantine(dataset), JSON.stringify(r), {
      msgID: `rejected/${stream}/${seq}/${n}`,
    });

  const processBatch = async (msgs: JsMsg[]) => {
    const groups = new Map<
      string,
      { msg: JsMsg; record: RawRecord; token: string }[]
    >();
    const publishes: Promise<unknown>[] = [];
    for (const msg of msgs) {
      const name = topology.datasetOf(msg.subject, "raw");
      const target = name ? targets.get(name) : undefined;
      const dataset = target?.dataset;
      const body = msg.string();
      const decoded = decodeRecord(body, `${stream}:${msg.seq}`);
      if (!dataset || !decoded.ok) {
        publishes.push(reject(
          name ?? msg.subject.split(".").at(-1) ?? "unknown",
          msg.seq,
          {
            record: decoded.ok
              ? decoded.record.record ?? `${stream}:${msg.seq}`
              : `${stream}:${msg.seq}`,
            field: "message",
            reason: !dataset
              ? `no dataset named ${name ?? msg.subject}`
              : (decoded as { reason: string }).reason,
            raw: body.slice(0, 2000),
          },
          0,
        ));
        report.rejected++;
        continue;
      }
      const group = groups.get(dataset.name) ?? [];
      const record = target.side === null
        ? decoded.record
        : { ...decoded.record, side: target.side };
      group.push({ msg, record, token: name! });
      groups.set(dataset.name, group);
    }
    for (const [name, items] of groups) {
      // Validated under the message's sequence as its record name, so each
      // outcome maps back to its message.
      const raw = rawFrame(
        items.map((i) => ({ ...i.record, record: String(i.msg.seq) })),
      );
      const { valid, quarantine } = validateBatch(
        datasets[name]!,
        raw,
        clock.now(),
        deps.secrets,
      );
      const bySeq = new Map(items.map((i) => [i.msg.seq, i]));
      for (const seq of valid.getColumn("record").toArray()) {
        const item = bySeq.get(Number(seq))!;
        publishes.push(
          nats.js.publish(topology.valid(item.token), item.msg.data, {
            msgID: `valid/${stream}/${item.msg.seq}`,
          }),
        );
        report.valid++;
      }
      const rows = quarantine.select(
        pl.col("record"),
        pl.col("field"),
        pl.col("reason"),
        pl.col("raw"),
      ).toRecords();
      for (const [n, row] of rows.entries()) {
        const item = bySeq.get(Number(row.record))!;
        publishes.push(reject(name, item.msg.seq, {
          record: item.record.record ?? `${stream}:${item.msg.seq}`,
          field: String(row.field ?? ""),
          reason: String(row.reason ?? ""),
          raw: String(row.raw ?? ""),
        }, n + 1));
        report.rejected++;
      }
    }
    await Promise.all(publishes);
    for (const m of msgs) m.ack();
    await nats.nc.flush();
  };

  let lastMessage = Date.now();
  while (!signal?.aborted) {
    let msgs: JsMsg[] = [];
    try {
      msgs = await fetchAvailable(consumer, batchSize, {
        waitMs: maxWaitMs,
        lingerMs,
        signal,
      });
    } catch (err) {
      log(`validate-stream: fetch failed, retrying: ${errorMessage(err)}`);
      await new Promise((r) => setTimeout(r, 500));
      consumer = await nats.js.consumers.get(stream, durable).catch(() =>
        consumer
      );
    }
    if (msgs.length === 0) {
      if (
        untilIdleMs !== undefined && Date.now() - lastMessage >= untilIdleMs
      ) {
        break;
      }
      continue;
    }
    report.received += msgs.length;
    try {
      await processBatch(msgs);
      log(
        `validate-stream: ${msgs.length} messages (${msgs[0]!.seq}..${
          msgs.at(-1)!.seq
        }): ${report.valid} valid, ${report.rejected} rejected so far`,
      );
    } catch (err) {
      log(`validate-stream: batch failed, retrying: ${errorMessage(err)}`);
      for (const m of msgs) m.nak(1000);
    }
    lastMessage = Date.now();
  }
  if (signal?.aborted) report.stopped = "signal";
  return report;
}
