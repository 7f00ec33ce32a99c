/**
 * `deno task etl stream`: the stream consumer, micro-batches of NATS
 * JetStream messages through the stage runner, exactly once.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { duration, number, positiveInteger } from "@pipeline/cli/values.ts";
import { NATS_FLAGS, topologyOf } from "@pipeline/cli/stream_flags.ts";
import { systemClock } from "@pipeline/clock.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { recordRunEnd, recordRunStart } from "@pipeline/ops/history.ts";
import { webhookAlerter } from "@pipeline/ops/alerts.ts";
import {
  type MetricsServer,
  serveMetrics,
} from "@pipeline/ops/metrics_server.ts";
import { newRunSummary } from "@pipeline/runner/mod.ts";
import { datasetsWithJoinWait } from "@pipeline/datasets/mod.ts";
import { peakRssMib } from "@pipeline/summary.ts";
import type { ConsumeReport } from "@pipeline/stream/mod.ts";

/** The `stream` command's flags (also read by `validate-stream`). */
export const CONSUMER_FLAGS = [
  {
    name: "batch-size",
    value: "N",
    help:
      "messages per micro-batch at most (a batch is what is pending, up to N)",
    key: "batchSize",
    parse: positiveInteger,
    default: 50_000,
  },
  {
    name: "max-wait",
    value: "D",
    help:
      "the longest wait for a first message (at least 1s); a batch then takes what arrives within --linger",
    key: "maxWaitMs",
    parse: duration,
    shownDefault: "1s",
  },
  {
    name: "linger",
    value: "D",
    help:
      "after a first message when none was pending, how long to wait for more",
    key: "lingerMs",
    parse: duration,
    shownDefault: "50ms",
  },
  {
    name: "until-idle",
    value: "D",
    help: "exit 0 after this long without a message (tests, one-shot catch-up)",
    key: "untilIdleMs",
    parse: duration,
    shownDefault: "run until SIGINT/SIGTERM",
  },
] as const;

/** The `stream` command. */
export const streamCommand: Command = {
  name: "stream",
  summary:
    "consume NATS JetStream: micro-batches of sluice.raw.* through the stage runner, exactly once",
  usage: "deno task etl stream [--batch-size N] [--until-idle D] [FLAGS]",
  description:
    `A durable pull consumer on <STREAM>_RAW (or _VALID with --from valid) takes
micro-batches by size or time and sends each dataset's messages through the
stage runner (validate, transform, quality gate, load with derived tables and
lake debt, in one transaction). The batch's stream sequences are stored in
etl_stream_offsets in that transaction and the messages acknowledged after
the commit: a message delivered again (a crash, a lost ack, a second process
on the same consumer) is never loaded twice. A message that is not a JSON
object, names no dataset, or fails --max-deliveries deliveries goes to the
quarantine table and <prefix>.quarantine.<dataset>. Each committed batch
publishes {dataset, partitions, rows, ...} on <prefix>.events.loaded. The lake
debt is paid when idle and at exit. SIGINT/SIGTERM finish the batch in hand,
acknowledge it and exit 0.`,
  flags: [
    {
      title: "Flags",
      flags: [
        ...CONSUMER_FLAGS,
        {
          name: "from",
          value: "KIND",
          help:
            "raw subjects (validated in the runner) or valid ones (after validate-stream)",
          key: "from",
          choices: ["raw", "valid"],
          default: "raw",
        },
        {
          name: "consumer",
          value: "NAME",
          help:
            "the durable consumer; processes with the same name share the work",
          key: "consumer",
          default: "sluice-etl",
        },
        {
          name: "max-deliveries",
          value: "N",
          help: "deliveries of a failing message before it is quarantined",
          key: "maxDeliveries",
          parse: positiveInteger,
          default: 5,
        },
        {
          name: "unordered",
          help:
            "commit messages as they come instead of in stream order (processes sharing a consumer then never wait for each other; a correction may be overtaken by what it corrects)",
          key: "ordered",
          set: false,
          default: true,
        },
        {
          name: "ack-wait",
          value: "D",
          help:
            "how long a delivered message may stay unacknowledged before JetStream delivers it again (after a crash)",
          key: "ackWaitMs",
          parse: duration,
          shownDefault: "60s",
        },
        {
          name: "metrics-port",
          value: "PORT",
          help:
            "serve /metrics and /healthz on 127.0.0.1:PORT (0 picks a free one, logged)",
          key: "metricsPort",
          parse: number,
          shownDefault: "none",
        },
        {
          name: "join-wait",
          value: "D",
          help:
            "how long a side of a join waits for its partner before it is recorded unmatched",
          key: "joinWaitMs",
          parse: duration,
          shownDefault: "1m",
        },
        {
          name: "no-snapshot",
          help: "do not pay the lake debt (run deno task etl snapshot later)",
          key: "snapshot",
          set: false,
          default: true,
        },
        ...NATS_FLAGS,
        jsonFlag("the consumer's report"),
      ],
    },
  ],
  notes: "Durations: 500ms, 5s, 1m.",
  exit: [
    [0, "idle (--until-idle) or stopped by SIGINT/SIGTERM after a batch"],
    [1, "cannot reach NATS or the database"],
    [2, "bad usage"],
    [3, "the PGlite directory is in use"],
  ],
  async run({ config, options, runtime }) {
    // Loaded when the command runs: other commands do not load NATS.
    const {
      connectNats,
      consume,
      ensureStreams,
      STREAM_SOURCE,
      streamMetrics,
    } = await import("@pipeline/stream/mod.ts");
    const { logger, clock } = runtime;
    const topology = topologyOf(options);
    const runId = crypto.randomUUID();
    const log = logger.child({ run_id: runId });
    // Recorded in etl_runs: one run per consumer process.
    const pipeline = `${STREAM_SOURCE}-${options.consumer as string}`;
    return await withDatabase(config, logger, async (client) => {
      let nats;
      try {
        nats = await connectNats(options.natsUrl as string);
      } catch (err) {
        log.error(`error: ${errorMessage(err)}`);
        return EXIT.failed;
      }
      const metrics = streamMetrics();
      let server: MetricsServer | null = null;
      let report: ConsumeReport | null = null;
      const summary = newRunSummary({
        runId,
        pipeline,
        source: STREAM_SOURCE,
        trigger: "manual",
        startedAt: systemClock.now(),
      });
      try {
        await ensureStreams(nats.jsm, topology);
        await migrateToLatest(client);
        await recordRunStart(client, summary);
        if (options.metricsPort !== undefined) {
          server = serveMetrics({
            port: options.metricsPort as number,
            render: () => metrics.render(),
            health: () => ({ ok: true, state: "consuming" }),
          });
          log.info(`metrics on ${server.url}/metrics`);
        }
        report = await withSignals(log, (signal) =>
          consume({
            topology,
            from: options.from as "raw" | "valid",
            consumer: options.consumer as string,
            batchSize: options.batchSize as number,
            maxWaitMs: (options.maxWaitMs as number | undefined) ?? 1000,
            lingerMs: (options.lingerMs as number | undefined) ?? 50,
            untilIdleMs: options.untilIdleMs as number | undefined,
            maxDeliveries: options.maxDeliveries as number,
            ackWaitMs: options.ackWaitMs as number | undefined,
            ordered: options.ordered as boolean,
            pipeline,
            runId,
            dataDir: config.dataDir,
            snapshot: options.snapshot as boolean,
          }, {
            client,
            nats,
            clock,
            wallClock: systemClock,
            ...(options.joinWaitMs === undefined ? {} : {
              datasets: datasetsWithJoinWait(options.joinWaitMs as number),
            }),
            log: (line) => log.info(line),
            signal,
            alerter: webhookAlerter({
              url: runtime.env.ALERT_WEBHOOK_URL,
              logger: log,
              secrets: runtime.secrets,
            }),
            secrets: runtime.secrets,
            metrics,
          }, summary));
        summary.status = "succeeded";
        log.info(
          `stream: stopped (${report.stopped}): ${report.committed} messages committed in ${report.batches} batches, ${report.skipped} skipped as committed before, ${report.poison} poison, ${report.filled} read from the stream to close a gap, last_seq ${report.lastSeq}`,
        );
        if (options.json) console.log(JSON.stringify(report));
        return EXIT.ok;
      } catch (err) {
        summary.error = errorMessage(err);
        log.error(`error: ${summary.error}`);
        return EXIT.failed;
      } finally {
        summary.finished_at = systemClock.now().toISOString();
        summary.peak_rss_mib = peakRssMib();
        await recordRunEnd(client, summary).catch((err) =>
          log.error(`error: cannot record the run: ${errorMessage(err)}`)
        );
        await server?.close();
        await nats.close();
      }
    });
  },
};
