/**
 * The stream consumer: a durable JetStream pull consumer whose messages are
 * taken in micro-batches (by size or time) through the one stage runner
 * (`runBatch`: validate, transform, quality gate, load with derived assets
 * and lake debt). The batch's stream sequences are committed in the load's
 * transaction (`@pipeline/stream/offsets.ts`) and the messages acknowledged
 * only after the commit, so a redelivery after a crash, a lost ack or a
 * second process on the same consumer never loads a message twice.
 *
 * A message that cannot be read, or whose batch failed on each of its
 * `maxDeliveries` deliveries, is quarantined (table and
 * `<prefix>.quarantine.<dataset>`); a transient failure (the database or
 * NATS away) is retried without limit. The signal stops it after the batch
 * in hand is committed and acknowledged.
 * @module
 */
import pl from "nodejs-polars";
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import { type Dataset, DATASETS } from "@pipeline/datasets/mod.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";
import { hasLakeDebt } from "@pipeline/snapshot/debt.ts";
import { subjectTargets } from "@pipeline/datasets/stream_subjects.ts";
import {
  type BatchReport,
  foldBatch,
  newBatchReport,
  runBatch,
  snapshotBatch,
  stageTimer,
  validateBatch,
} from "@pipeline/runner/mod.ts";
import type { Nats } from "@pipeline/stream/nats.ts";
import { ensureConsumer, MAX_WAITING } from "@pipeline/stream/nats.ts";
import type { StreamTopology } from "@pipeline/stream/topology.ts";
import { decodeRecord, type RawRecord } from "@pipeline/stream/message.ts";
import {
  AlreadyCommitted,
  commitSequences,
  type Committed,
  isCommitted,
  readCommitted,
  type StreamPosition,
} from "@pipeline/stream/offsets.ts";
import { type Poison, quarantinePoison } from "@pipeline/stream/poison.ts";
import type { StreamMetrics } from "@pipeline/stream/stream_metrics.ts";
import { collectGarbage } from "@pipeline/ops/collect_garbage.ts";
import { readStreamRange } from "@pipeline/stream/stream_range.ts";
import {
  claimGap,
  heldElsewhere,
  holdLease,
  type Lease,
  releaseLease,
} from "@pipeline/stream/leases.ts";

/** The source name of stream loads (watermarks, quarantine, `etl_loads`). */
export const STREAM_SOURCE = "stream";

/** Options of {@link consume}. */
export interface ConsumeOptions {
  topology: StreamTopology;
  /** Read `raw` subjects (validated in the runner) or `valid` ones. Default raw. */
  from?: "raw" | "valid";
  /** The durable consumer's name. Default `sluice-etl`. */
  consumer?: string;
  /** Messages per micro-batch at most. Default 50 000. */
  batchSize?: number;
  /** The longest wait for a first message, ms (at least 1 s). Default 1000. */
  maxWaitMs?: number;
  /**
   * After a first message when none was pending, how long to wait for more
   * before loading, ms. Default 50. (A backlog is taken at once, up to
   * `batchSize`.)
   */
  lingerMs?: number;
  /** Return after this long without a message, ms. Default never. */
  untilIdleMs?: number | undefined;
  /** Deliveries of a failing message before it is quarantined. Default 5. */
  maxDeliveries?: number;
  /** The consumer's ack wait, ms. Default 60 000. */
  ackWaitMs?: number | undefined;
  /**
   * With `ordered`, how long a batch behind a gap waits for it to close
   * without any progress before its messages are sent back, ms. Default
   * 2000; once another process was seen committing, at least four times
   * this process's slowest batch (the other's batch may take as long).
   */
  gapWaitMs?: number;
  /**
   * Load messages strictly in stream order (default true): a message whose
   * predecessor is not committed yet (held by a killed process until its
   * ack wait ends, or sent back after a failure) is sent back to wait, so
   * the last message of a key always wins, as in one load. False lets
   * processes sharing a consumer commit out of order (each message still
   * once; a correction may then be overtaken by what it corrects).
   */
  ordered?: boolean;
  /** The pipeline, named in alerts and `etl_runs`. */
  pipeline: string;
  /** The run the consumer's batches belong to. */
  runId: string;
  /** Where the lake and analytics.duckdb go. */
  dataDir: string;
  /** Pay the lake debt when idle and at the end. Default true. */
  snapshot?: boolean;
}

/** What {@link consume} needs from outside. */
export interface ConsumeDeps {
  client: SqlClient;
  nats: Nats;
  /** "Now" for the data (validation, quarantine). */
  clock: Clock;
  /** Real time (loads, offsets, latency). Default `clock`. */
  wallClock?: Clock | undefined;
  log?: ((line: string) => void) | undefined;
  /** Stops after the batch in hand when it aborts. */
  signal?: AbortSignal | undefined;
  alerter?: Alerter | undefined;
  secrets?: readonly string[] | undefined;
  // deno-lint-ignore no-explicit-any
  datasets?: Readonly<Record<string, Dataset<any>>>;
  metrics?: StreamMetrics | undefined;
}

/** What a consumer did. */
export interface ConsumeReport {
  /** Batches committed. */
  batches: number;
  /** Messages received, redeliveries included. */
  received: number;
  /** Messages loaded (committed with their batch). */
  committed: number;
  /** Messages skipped: committed before (a redelivery). */
  skipped: number;
  /** Messages quarantined as poison. */
  poison: number;
  /** Batch attempts that failed (their messages delivered again). */
  failures: number;
  /** Messages sent back to wait for an earlier one (`ordered`). */
  deferred: number;
  /**
   * Messages read from the stream itself to close a gap no process filled
   * (`ordered`; see `@pipeline/stream/stream_range.ts`).
   */
  filled: number;
  /** The consumer's `last_seq` after the last commit. */
  lastSeq: number;
  /** Why it stopped. */
  stopped: "idle" | "signal";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One message with its decoded record. */
interface Item {
  msg: JsMsg;
  record: RawRecord;
}

/**
 * Consumes until idle (`untilIdleMs`) or the signal; folds every batch into
 * `summary` (the run's record, kept by the caller).
 */
export async function consume(
  options: ConsumeOptions,
  deps: ConsumeDeps,
  summary: RunSummary,
): Promise<ConsumeReport> {
  const {
    topology,
    from = "raw",
    consumer: durable = "sluice-etl",
    batchSize = 50_000,
    maxWaitMs = 1000,
    lingerMs = 50,
    untilIdleMs,
    maxDeliveries = 5,
    snapshot = true,
    ordered = true,
    gapWaitMs = 2000,
  } = options;
  const { client, nats, clock, signal, metrics } = deps;
  const log = deps.log ?? (() => {});
  const wallClock = deps.wallClock ?? clock;
  // deno-lint-ignore no-explicit-any
  const datasets: Readonly<Record<string, Dataset<any>>> = deps.datasets ??
    DATASETS;
  const targets = subjectTargets(datasets);
  const settling = Object.values(datasets).filter((d) => d.settle);
  const stream = from === "raw" ? topology.rawStream : topology.validStream;
  const position: StreamPosition = { stream, consumer: durable };
  /** What this process holds in hand, for the others (`ordered`). */
  const lease: Lease = {
    ...position,
    holder: crypto.randomUUID(),
    ttlMs: options.ackWaitMs ?? 60_000,
  };
  const report: ConsumeReport = {
    batches: 0,
    received: 0,
    committed: 0,
    skipped: 0,
    poison: 0,
    failures: 0,
    deferred: 0,
    filled: 0,
    lastSeq: (await readCommitted(client, position)).lastSeq,
    stopped: "idle",
  };
  const { maxWaiting } = await ensureConsumer(nats.jsm, stream, durable, {
    ackWaitMs: options.ackWaitMs,
    // The batch in hand and the next one, taken while it loads, of
    // processes sharing the consumer (a pull at the limit waits for acks).
    maxAckPending: 10 * batchSize + 1000,
  });
  if (ordered && maxWaiting !== MAX_WAITING) {
    log(
      `stream: consumer ${stream}/${durable} takes ${maxWaiting} pulls at once (made before 2026-12-04): processes sharing it would each get every other message; delete it once to have it made anew (the committed sequences are in the database)`,
    );
  }
  // One line per batch from here, not one per stage.
  const batchDeps = {
    client,
    clock,
    wallClock,
    log: () => {},
    alerter: deps.alerter,
    secrets: deps.secrets,
  };
  let consumer: Consumer = await nats.js.consumers.get(stream, durable);
  let lastMessage = Date.now();
  let owed = snapshot && await hasLakeDebt(client);

  const firstAvailable = async () => {
    try {
      return (await nats.jsm.streams.info(stream)).state.first_seq;
    } catch {
      return undefined;
    }
  };

  /** The poison messages, quarantined, published and acknowledged. */
  const poisonAll = async (poison: { msg: JsMsg; p: Poison }[]) => {
    if (poison.length === 0) return;
    await quarantinePoison(client, poison.map((x) => x.p), {
      position,
      runId: options.runId,
      source: STREAM_SOURCE,
      clock,
      wallClock,
      firstAvailable: await firstAvailable(),
    });
    for (const { msg, p } of poison) {
      msg.ack();
      await nats.js.publish(
        topology.quarantine(p.dataset),
        JSON.stringify({
          record: p.record,
          reason: p.reason,
          raw: p.raw,
          stream,
          seq: p.seq,
        }),
        { msgID: `poison/${stream}/${p.seq}` },
      ).catch((err) =>
        log(`stream: cannot publish poison ${p.seq}: ${errorMessage(err)}`)
      );
      log(`stream: quarantined message ${p.seq}: ${p.reason}`);
    }
    report.poison += poison.length;
    metrics?.messages("poison", poison.length);
    owed = snapshot;
  };

  /** Loads one dataset's items as one batch; throws what the runner threw. */
  const loadItems = async (
    // deno-lint-ignore no-explicit-any
    dataset: Dataset<any>,
    items: Item[],
  ): Promise<void> => {
    const loadStarted = performance.now();
    const seqs = items.map((i) => i.msg.seq);
    const [firstSeq, lastSeqOfBatch] = seqRange(seqs);
    const batch: BatchReport = newBatchReport();
    const timed = stageTimer({
      onStage: (stat) => batch.stages.push(stat),
      runId: options.runId,
    });
    const raw = rawFrame(items.map((i) => i.record));
    const now = clock.now();
    const validated = await timed(
      "validate",
      raw.height,
      () => validateBatch(dataset, raw, now, deps.secrets),
      (r) => r.valid.height,
    );
    const loadId = crypto.randomUUID();
    const first = streamFirst;
    let lastSeq = report.lastSeq;
    await runBatch({ validated }, {
      dataset,
      source: STREAM_SOURCE,
      pipeline: options.pipeline,
      runId: options.runId,
      loadId,
      since: windowStarts(validated.valid, dataset.entityColumn),
      dataDir: options.dataDir,
      snapshot: false,
      into: batch,
      within: async (tx) => {
        lastSeq = await commitSequences(tx, position, seqs, {
          loadId,
          now: wallClock.now(),
          firstAvailable: first,
        });
      },
    }, batchDeps);
    const acked = performance.now();
    for (const { msg } of items) msg.ack();
    slowestBatchMs = Math.max(slowestBatchMs, acked - loadStarted);
    const committedAt = wallClock.now().getTime();
    const ms = (x: number) => Math.round(x);
    const stageMs = batch.stages.map((s) =>
      `${s.stage} ${ms(s.seconds * 1000)}`
    ).join(", ");
    report.lastSeq = lastSeq;
    report.batches++;
    report.committed += items.length;
    owed = snapshot;
    foldBatch(summary, batch);
    metrics?.batch({
      dataset: dataset.name,
      size: items.length,
      latencies: items.map((i) =>
        (committedAt - Number(i.msg.info.timestampNanos / 1_000_000)) / 1000
      ),
      lag: items.at(-1)!.msg.info.pending,
    });
    log(
      `stream: committed ${items.length} ${dataset.name} messages (${firstSeq}..${lastSeqOfBatch}): loaded ${batch.counts.loaded}, quarantined ${batch.counts.quarantined}, last_seq ${lastSeq} (ms: fetch ${
        ms(timing.fetch)
      }, wait ${ms(timing.wait)}, decode ${
        ms(timing.decode)
      }, ${stageMs}, ack ${ms(performance.now() - acked)})`,
    );
    const partitions = validated.valid.height > 0
      ? validated.valid.getColumn(dataset.entityColumn).unique().sort()
        .toArray().map(String)
      : [];
    nats.nc.publish(
      topology.loaded,
      JSON.stringify({
        dataset: dataset.name,
        partitions,
        rows: batch.counts.loaded,
        quarantined: batch.counts.quarantined,
        messages: items.length,
        first_seq: firstSeq,
        last_seq: lastSeqOfBatch,
        load_id: loadId,
        committed_at: new Date(committedAt).toISOString(),
      }),
    );
  };

  /**
   * Loads a dataset's items; on a failure that is not transient, each item
   * alone, so one poison message delays only itself and is quarantined on
   * its last delivery. Returns false when items were sent back to be
   * delivered again (with `ordered`, the items after one sent back go back
   * too).
   */
  const loadGroup = async (
    // deno-lint-ignore no-explicit-any
    dataset: Dataset<any>,
    items: Item[],
  ): Promise<boolean> => {
    try {
      await loadItems(dataset, items);
      return true;
    } catch (err) {
      report.failures++;
      if (err instanceof AlreadyCommitted) {
        const taken = new Set(err.seqs);
        for (const i of items) if (taken.has(i.msg.seq)) i.msg.ack();
        report.skipped += taken.size;
        const rest = items.filter((i) => !taken.has(i.msg.seq));
        return rest.length > 0 ? await loadGroup(dataset, rest) : true;
      }
      log(
        `stream: batch of ${items.length} ${dataset.name} messages (${
          items[0]!.msg.seq
        }..${items.at(-1)!.msg.seq}) failed: ${errorMessage(err)}`,
      );
      if (isTransient(err)) {
        for (const i of items) i.msg.nak(1000);
        return false;
      }
      if (items.length > 1) {
        for (const [n, item] of items.entries()) {
          if (!(await loadGroup(dataset, [item])) && ordered) {
            for (const later of items.slice(n + 1)) later.msg.nak(250);
            return false;
          }
        }
        return true;
      }
      const [item] = items as [Item];
      if (item.msg.info.deliveryCount >= maxDeliveries) {
        await poisonAll([{
          msg: item.msg,
          p: {
            seq: item.msg.seq,
            dataset: dataset.name,
            record: item.record.record ?? `${stream}:${item.msg.seq}`,
            reason: `failed ${item.msg.info.deliveryCount} deliveries: ${
              errorMessage(err).slice(0, 300)
            }`,
            raw: item.msg.string().slice(0, 2000),
          },
        }]);
        return true;
      }
      item.msg.nak(500 * item.msg.info.deliveryCount);
      return false;
    }
  };

  /** The first sequence not committed (and not gone from the stream). */
  const nextUncommitted = (committed: Committed) => {
    let next = Math.max(committed.lastSeq + 1, streamFirst ?? 0);
    while (isCommitted(committed, next)) next++;
    return next;
  };

  /**
   * In stream order, messages after a gap (another process loading the
   * messages before them, usually) wait for the gap to close instead of
   * being sent back at once: sent back, they would bounce between the
   * processes sharing the consumer, each bounce a back-off. The wait lasts
   * while the committed position moves (the other process is working) and
   * ends after `gapWaitMs` without a move (it died, or sent its messages
   * back: they come back to whoever pulls). Returns what is committed then.
   */
  const awaitTurn = async (
    msgs: readonly JsMsg[],
    committed: Committed,
  ): Promise<Committed> => {
    let lowest = Infinity;
    for (const m of msgs) {
      if (!isCommitted(committed, m.seq) && m.seq < lowest) lowest = m.seq;
    }
    if (committed.lastSeq > report.lastSeq) shared = true;
    let deadline = Date.now() + patience();
    let seen = committed.lastSeq;
    let keptAt = Date.now();
    for (;;) {
      if (nextUncommitted(committed) >= lowest || signal?.aborted) {
        return committed;
      }
      if (Date.now() >= deadline) {
        // Still held by another live process (its lease): it is working
        // on it, and the wait goes on; held by none, it ends.
        const gap = nextUncommitted(committed);
        if (!(await heldElsewhere(client, lease, gap)).held) return committed;
        shared = true;
        deadline = Date.now() + gapWaitMs;
      }
      await sleep(20);
      committed = await readCommitted(client, position);
      if (committed.lastSeq !== seen) {
        seen = committed.lastSeq;
        shared = true;
        deadline = Date.now() + patience();
      }
      if (Date.now() - keptAt > 10_000) {
        // A long wait behind a working process: not redelivered meanwhile.
        for (const m of msgs) m.working();
        const [lo, hi] = seqRange(msgs.map((m) => m.seq));
        await holdLease(client, lease, lo, hi);
        keptAt = Date.now();
      }
    }
  };

  /** The stream's first sequence, read once per batch. */
  let streamFirst: number | undefined;
  /** Whether another process was seen committing on this consumer. */
  let shared = false;
  /** The longest load of a batch here, ms (decode to ack). */
  let slowestBatchMs = 0;
  /**
   * How long a gap is waited for without progress: another process seen
   * committing is one whose batch may take as long as ours (a gap it holds
   * closes only when its batch commits), not just `gapWaitMs`.
   */
  const patience = () =>
    shared ? Math.max(gapWaitMs, 4 * slowestBatchMs) : gapWaitMs;
  /** Where the ms of the batch in hand went before the runner (the log). */
  const timing = { fetch: 0, decode: 0, wait: 0 };

  /** A batch's subjects are few: each read once, not once per message. */
  const names = new Map<string, string | null>();
  const datasetOf = (subject: string) => {
    let name = names.get(subject);
    if (name === undefined) {
      name = topology.datasetOf(subject, from);
      names.set(subject, name);
    }
    return name;
  };

  /**
   * Decodes and loads `msgs` (none committed yet), grouped by dataset;
   * quarantines those that cannot be read. Returns false when messages
   * were sent back to be delivered again.
   */
  const loadMessages = async (msgs: readonly JsMsg[]): Promise<boolean> => {
    const t0 = performance.now();
    const groups = new Map<string, Item[]>();
    const poison: { msg: JsMsg; p: Poison }[] = [];
    for (const msg of msgs) {
      const name = datasetOf(msg.subject);
      const fallback = `${stream}:${msg.seq}`;
      const body = msg.string();
      const decoded = decodeRecord(body, fallback);
      const target = name ? targets.get(name) : undefined;
      const dataset = target?.dataset;
      if (!dataset || !decoded.ok) {
        poison.push({
          msg,
          p: {
            seq: msg.seq,
            dataset: name ?? msg.subject.split(".").at(-1) ?? "unknown",
            record: decoded.ok ? decoded.record.record ?? fallback : fallback,
            reason: !dataset
              ? `no dataset named ${name ?? msg.subject}`
              : (decoded as { reason: string }).reason,
            raw: body.slice(0, 2000),
          },
        });
        continue;
      }
      const items = groups.get(dataset.name) ?? [];
      // A side's subject names its side, whatever the message says.
      if (target.side !== null) decoded.record.side = target.side;
      items.push({ msg, record: decoded.record });
      groups.set(dataset.name, items);
    }
    timing.decode += performance.now() - t0;
    await poisonAll(poison);
    let all = true;
    for (const [name, items] of groups) {
      if (!(await loadGroup(datasets[name]!, items))) all = false;
    }
    return all;
  };

  /** Sends `msgs` back to wait for an earlier message (`ordered`). */
  const deferAll = (msgs: readonly JsMsg[]) => {
    for (const m of msgs) m.nak(250);
    report.deferred += msgs.length;
  };

  /**
   * Loads the messages from `gap` up to `below` (excluded; a batch at
   * most) read from the stream itself, in stream order; returns how many
   * were loaded (0: none could be read, or the first was sent back).
   */
  const fillGap = async (gap: number, below: number): Promise<number> => {
    let msgs: JsMsg[];
    try {
      msgs = await readStreamRange(
        nats.js,
        stream,
        gap,
        Math.min(below - gap, batchSize),
      );
    } catch (err) {
      log(
        `stream: reading ${gap}.. from the stream failed: ${errorMessage(err)}`,
      );
      return 0;
    }
    const committed = await readCommitted(client, position);
    const run: JsMsg[] = [];
    let next = gap;
    for (const m of msgs) {
      if (isCommitted(committed, m.seq)) continue;
      if (m.seq !== next) break;
      run.push(m);
      next++;
    }
    if (run.length === 0) return 0;
    log(
      `stream: ${run.length} messages (${gap}..${
        run.at(-1)!.seq
      }) read from the stream: held by no process after ${
        Math.round(patience())
      } ms without progress (sent back, or delivered to a pull that had ended or to a dead process; a later delivery of them is skipped)`,
    );
    report.filled += run.length;
    await loadMessages(run);
    return (await readCommitted(client, position)).lastSeq >= gap
      ? run.length
      : 0;
  };

  const processBatch = async (msgs: JsMsg[]) => {
    if (!ordered) return await processMessages(msgs);
    const [lo, hi] = seqRange(msgs.map((m) => m.seq));
    await holdLease(client, lease, lo, hi);
    try {
      await processMessages(msgs);
    } finally {
      await releaseLease(client, lease).catch(() => {});
    }
  };

  const processMessages = async (msgs: JsMsg[]) => {
    report.received += msgs.length;
    // Both before the batch is read; independent, so asked at once.
    let [committed, first] = await Promise.all([
      readCommitted(client, position),
      firstAvailable(),
    ]);
    streamFirst = first;
    timing.decode = 0;
    timing.wait = 0;
    let rest = msgs.slice().sort((a, b) => a.seq - b.seq);
    let waited = false;
    for (;;) {
      // Committed already (a redelivery, or by another process): acked.
      let skipped = 0;
      rest = rest.filter((msg) => {
        if (!isCommitted(committed, msg.seq)) return true;
        msg.ack();
        skipped++;
        return false;
      });
      report.skipped += skipped;
      metrics?.messages("skipped", skipped);
      if (rest.length === 0) return;
      let run = rest;
      if (ordered) {
        // In stream order only: the run that continues the committed
        // sequences is loaded; what follows a gap (an earlier message is
        // with another process, with a dead one until its ack wait ends,
        // or was sent back) waits its turn, then is loaded or sent back,
        // so a correction is never overtaken by what it corrects.
        let next = nextUncommitted(committed);
        let n = 0;
        for (const msg of rest) {
          while (isCommitted(committed, next)) next++;
          if (msg.seq !== next) break;
          next++;
          n++;
        }
        if (n === 0 && !waited) {
          const t = performance.now();
          committed = await awaitTurn(rest, committed);
          timing.wait += performance.now() - t;
          waited = true;
          continue;
        }
        if (n === 0 && !signal?.aborted) {
          // No process closed the gap in that time. Held by no live one
          // (JetStream counted it delivered to a pull that had already
          // ended, here or there, or to a dead process: it would come
          // back only after the ack wait), it is read from the stream and
          // loaded here, up to what another process holds.
          const gap = nextUncommitted(committed);
          const t = performance.now();
          const below = await claimGap(
            client,
            lease,
            gap,
            rest[0]!.seq,
            rest.at(-1)!.seq,
          );
          const filled = below === null ? 0 : await fillGap(gap, below);
          timing.wait += performance.now() - t;
          if (filled > 0) {
            committed = await readCommitted(client, position);
            continue;
          }
        }
        if (n === 0) {
          const gap = nextUncommitted(committed);
          log(
            `stream: ${rest.length} messages (${rest[0]!.seq}..${
              rest.at(-1)!.seq
            }) sent back to wait for ${gap}, not committed after ${
              Math.round(patience())
            } ms without progress (a dead process's messages come back after the ack wait)`,
          );
          deferAll(rest);
          await sleep(250); // the gap did not close: a back-off
          return;
        }
        waited = false;
        run = rest.slice(0, n);
      }
      rest = rest.slice(run.length);
      const loaded = await loadMessages(run);
      if (rest.length === 0) return;
      if (!loaded) {
        // A message sent back leaves a gap below the rest.
        deferAll(rest);
        return;
      }
      committed = await readCommitted(client, position);
    }
  };

  /** Settles what expires with time (a join's wait), when idle. */
  const settle = async () => {
    for (const dataset of settling) {
      try {
        const n = await client.transaction((tx) =>
          dataset.settle!(tx, { loadId: crypto.randomUUID() })
        );
        if (n > 0) log(`stream: ${dataset.name}: ${n} rows settled`);
      } catch (err) {
        log(`stream: ${dataset.name}: settle failed: ${errorMessage(err)}`);
      }
    }
  };

  const payDebt = async () => {
    if (!owed) return;
    const into = newBatchReport();
    try {
      await snapshotBatch({ rows: 0 }, {
        dataDir: options.dataDir,
        runId: options.runId,
        into,
      }, { ...batchDeps, datasets: deps.datasets });
      foldBatch(summary, into);
      owed = false;
    } catch (err) {
      log(`stream: snapshot failed (the debt stays): ${errorMessage(err)}`);
    }
  };

  const fetchBatch = () =>
    fetchAvailable(consumer, batchSize, {
      waitMs: maxWaitMs,
      lingerMs,
      signal,
      log,
    });
  /**
   * The next batch, pulled while the one in hand loads (Postgres works, the
   * client receives): taken only after a full batch, that is under a
   * backlog, where it is there at once; and not while another process
   * shares the consumer in stream order (seen committing, or the batch
   * before had messages to send back), where what one holds ahead makes
   * the other wait.
   */
  let prefetched: Promise<JsMsg[]> | null = null;
  let contended = false;
  while (!signal?.aborted) {
    let msgs: JsMsg[];
    const fetched = performance.now();
    try {
      msgs = await (prefetched ?? fetchBatch());
      timing.fetch = performance.now() - fetched;
    } catch (err) {
      log(`stream: fetch failed, retrying: ${errorMessage(err)}`);
      await sleep(Math.min(maxWaitMs, 1000));
      try {
        consumer = await nats.js.consumers.get(stream, durable);
      } catch {
        // NATS still away: the next fetch fails and retries again.
      }
      msgs = [];
    }
    prefetched = null;
    if (msgs.length === 0) {
      await settle();
      await payDebt();
      if (
        untilIdleMs !== undefined && Date.now() - lastMessage >= untilIdleMs
      ) {
        break;
      }
      continue;
    }
    if (msgs.length >= batchSize && !contended && !signal?.aborted) {
      prefetched = fetchBatch();
      prefetched.catch(() => {}); // its failure is handled when awaited
    }
    const deferred = report.deferred;
    try {
      await processBatch(msgs);
    } catch (err) {
      // The database or NATS failed outside a batch's load: nothing of it
      // was acknowledged, so JetStream delivers it again.
      report.failures++;
      log(`stream: batch failed, retrying: ${errorMessage(err)}`);
      for (const m of msgs) m.nak(1000);
      await sleep(500);
    }
    // A batch taken ahead is not leased until its turn comes: with another
    // process on the consumer, it could be taken for a gap held by none.
    contended = ordered && (report.deferred > deferred || shared);
    await nats.nc.flush().catch(() => {});
    // Polars objects die by the thousand per batch: finalized now, in a few
    // ms, not hundreds of batches later in one long stall (see
    // `@pipeline/ops/collect_garbage.ts`).
    collectGarbage();
    lastMessage = Date.now();
  }
  if (prefetched) {
    // Taken but not loaded: sent back at once, for this or another process.
    for (const m of await prefetched.catch(() => [] as JsMsg[])) m.nak();
    await nats.nc.flush().catch(() => {});
  }
  if (signal?.aborted) report.stopped = "signal";
  await payDebt();
  return report;
}

/**
 * Fetches a micro-batch without waiting for it to fill: the messages the
 * consumer has pending now (up to `max`), else the first one to arrive
 * within `waitMs` and those pending `lingerMs` after it (redeliveries: with
 * the rest of them, one more pull of at most 1 s). Each pull asks for what
 * is there, so none is left open with messages on their way to a closed
 * inbox (which would wait for the ack wait to be delivered again).
 * Under a backlog batches are full; at a trickle they are small and a
 * message waits about `lingerMs` for its batch, not `waitMs`.
 */
export async function fetchAvailable(
  consumer: Consumer,
  max: number,
  options: {
    waitMs: number;
    lingerMs: number;
    signal: AbortSignal | undefined;
    /** Told of a pull that ended early with what it had received. */
    log?: ((line: string) => void) | undefined;
  },
): Promise<JsMsg[]> {
  // Another process's pull is open (one at a time: `MAX_WAITING`): its turn
  // ends when it has its messages, or at its expiry; then what is pending is
  // read again (that process took some).
  const started = Date.now();
  for (;;) {
    try {
      return await fetchOnce(consumer, max, options);
    } catch (err) {
      if (!(err instanceof PullRefused)) throw err;
      if (options.signal?.aborted || Date.now() - started >= options.waitMs) {
        return [];
      }
      await sleep(10);
    }
  }
}

/** One {@link fetchAvailable}; throws `PullRefused` when it is not its turn. */
async function fetchOnce(
  consumer: Consumer,
  max: number,
  { waitMs, lingerMs, signal, log }: {
    waitMs: number;
    lingerMs: number;
    signal: AbortSignal | undefined;
    log?: ((line: string) => void) | undefined;
  },
): Promise<JsMsg[]> {
  const pull = (n: number, wait: number) =>
    pullMessages(consumer, n, wait, signal, log);
  /** After a first pull: more, unless another process's pull is open. */
  const more = async (got: JsMsg[], n: number, wait: number) => {
    try {
      return [...got, ...await pull(n, wait)];
    } catch (err) {
      if (err instanceof PullRefused) return got;
      throw err;
    }
  };
  /**
   * Redeliveries (sent back, or left by a dead process) are not in
   * `num_pending` and come first: with any, the rest are taken in one more
   * pull, not one per batch.
   */
  const withRedeliveries = (got: JsMsg[]) =>
    got.length < max && got.some((m) => m.redelivered) && !signal?.aborted
      ? more(got, max - got.length, 1000)
      : got;
  const pending = async () => {
    try {
      return (await consumer.info()).num_pending;
    } catch {
      return 0;
    }
  };
  let n = Math.min(max, await pending());
  if (n > 0) {
    return await withRedeliveries(await pull(n, waitMs));
  }
  const first = await pull(1, waitMs);
  if (first.length === 0 || max === 1 || signal?.aborted) return first;
  if (first[0]!.redelivered) return await withRedeliveries(first);
  if (lingerMs > 0) await sleep(lingerMs);
  n = Math.min(max - 1, await pending());
  return n > 0 ? await more(first, n, 1000) : first;
}

/** A pull refused: another process's pull is open (`MAX_WAITING`). */
class PullRefused extends Error {}

/**
 * One pull of up to `max` messages, ending at `waitMs` (at least 1 s);
 * throws `PullRefused` when another process's pull is open.
 */
async function pullMessages(
  consumer: Consumer,
  max: number,
  waitMs: number,
  signal: AbortSignal | undefined,
  log: ((line: string) => void) | undefined,
): Promise<JsMsg[]> {
  const out: JsMsg[] = [];
  const expires = Math.max(1000, waitMs);
  const it = await consumer.fetch({ max_messages: max, expires });
  const stop = () => it.stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const m of it) out.push(m);
  } catch (err) {
    if (out.length === 0) {
      if (isOtherPullOpen(err)) throw new PullRefused(errorMessage(err));
      throw err;
    }
    // A pull ended early keeps what it received: dropped, those messages
    // would come back only after the ack wait, and in stream order all
    // after them would wait. (nats.js ends a pull after two missed server
    // heartbeats, at half its expiry: a busy thread, or a pull the server
    // counts more messages in than arrived, which then never ends.)
    log?.(
      `stream: a pull of ${max} ended after ${out.length}: ${
        errorMessage(err)
      }`,
    );
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  return out;
}

/** Whether a pull was refused because another one is open (409). */
function isOtherPullOpen(err: unknown): boolean {
  return /exceeded max ?waiting/i.test(errorMessage(err));
}

/** Whether a retry of the same batch may succeed. */
function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof EtlError && e.transient) return true;
    const code = (e as { code?: unknown }).code;
    // Connection-level failures of the pg driver and the OS.
    if (
      typeof code === "string" &&
      (/^(08|57P|53)/.test(code) || /^E(CONN|PIPE|TIMEDOUT|HOSTUN)/.test(code))
    ) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The least and greatest of `seqs` (not `Math.min(...seqs)`: a batch of
 * more than about 120,000 passes V8's argument limit).
 */
export function seqRange(seqs: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of seqs) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  return [lo, hi];
}

/**
 * The raw frame of `records`: one Utf8 column per field any record has
 * (missing fields null), `record` included.
 */
export function rawFrame(records: readonly RawRecord[]): pl.DataFrame {
  // One pass over the records, each field's values gathered as it goes
  // (a field first seen late is null before it).
  const columns = new Map<string, (string | null)[]>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    for (const key in r) {
      let values = columns.get(key);
      if (!values) {
        values = new Array<string | null>(i).fill(null);
        columns.set(key, values);
      }
      values[i] = r[key] ?? null;
    }
  }
  return pl.DataFrame(
    [...columns].map(([name, values]) => {
      // Fields a record lacks: null (and the arrays all as long).
      values.length = records.length;
      for (let i = 0; i < values.length; i++) values[i] ??= null;
      return pl.Series(name, values, pl.Utf8);
    }),
  );
}

/**
 * Per entity, its oldest `ts` in the batch: the start of its window, so a
 * dataset whose transform needs earlier rows (weather's 24-hour means)
 * reads them from the warehouse.
 */
function windowStarts(
  valid: pl.DataFrame,
  entityColumn: string,
): Map<string, Date> {
  const since = new Map<string, Date>();
  if (valid.height === 0 || !valid.columns.includes("ts")) return since;
  const firsts = valid.groupBy(entityColumn).agg(
    pl.col("ts").min().cast(pl.Int64).alias("first"),
  );
  for (const row of firsts.toRecords()) {
    since.set(String(row[entityColumn]), new Date(Number(row.first)));
  }
  return since;
}
