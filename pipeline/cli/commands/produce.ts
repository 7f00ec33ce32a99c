/**
 * `deno task etl produce`: a source's records published on NATS JetStream.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { duration } from "@pipeline/cli/values.ts";
import { RUN_CONFIG_FLAGS } from "@pipeline/cli/run_flags.ts";
import { NATS_FLAGS, topologyOf } from "@pipeline/cli/stream_flags.ts";
import { sourceFor } from "@pipeline/sources.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { FINNHUB_KEY_VARIABLE } from "@pipeline/extract/finnhub.ts";
import {
  FINNHUB_DEFAULT_WS_URL,
  finnhubTradeSource,
} from "@pipeline/extract/finnhub_trades.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { DATASET_LIST, DATASETS } from "@pipeline/datasets/registry.ts";
import { splitSides } from "@pipeline/datasets/stream_subjects.ts";
import type { StreamSide } from "@pipeline/datasets/dataset.ts";

/** The datasets a producer can split records into sides for. */
const SPLIT_DATASETS = DATASET_LIST.filter((d) => d.streamSides?.length)
  .map((d) => d.name);

/** `volumes:5s`: a side's subject and how late it is published. */
export function lateSide(text: string): { side: string; ms: number } {
  const at = text.lastIndexOf(":");
  if (at <= 0) {
    throw new Error(`expected SIDE:DURATION like volumes:5s, got "${text}"`);
  }
  return { side: text.slice(0, at), ms: duration(text.slice(at + 1)) };
}

/** `2000` or `2000/s`: messages per second, above 0. */
export function rate(text: string): number {
  const n = Number(text.replace(/\/s$/, ""));
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`expected messages per second like 2000/s, got "${text}"`);
  }
  return n;
}

/** The `produce` command. */
export const produceCommand: Command = {
  name: "produce",
  summary:
    "publish a source's records on NATS JetStream, one JSON message per record on sluice.raw.<dataset>",
  usage: "deno task etl produce [--source NAME] [--rate N/s] [FLAGS]",
  description:
    `Extracts the configured source (the run flags choose it, as for run) and
publishes one JSON message per record on <prefix>.raw.<dataset> (bars: symbol,
ts, open, high, low, close, volume and record), with a Nats-Msg-Id of
<dataset>/<record> so a record re-sent within the stream's duplicate window
(2 minutes) is stored once. The streams <STREAM>_RAW, _VALID and _QUARANTINE
(limits retention: 7 days, 1 GiB each, oldest dropped) are created or updated
first. --rate paces the messages, --duration stops early; SIGINT/SIGTERM stop
at the next message. With --source finnhub it listens to Finnhub's WebSocket
trade feed (FINNHUB_WS_URL overrides wss://ws.finnhub.io; FINNHUB_API_KEY is
the token) for --duration (default 60s) and publishes the one-minute bars of
the minutes that ended. --split price_volume publishes each bar as its two
sides, the close on <prefix>.raw.prices and the volume on <prefix>.raw.volumes
(ids prices/<record>, volumes/<record>); --late volumes:5s holds each volume
back five seconds. Load what it published with deno task etl stream.`,
  flags: [
    {
      title: "Flags",
      flags: [
        {
          name: "rate",
          value: "N/s",
          help: "messages per second at most",
          key: "rate",
          parse: rate,
          shownDefault: "as fast as the server takes them",
        },
        {
          name: "duration",
          value: "D",
          help: "stop publishing after this long (e.g. 30s)",
          key: "durationMs",
          parse: duration,
          shownDefault: "until the source ends",
        },
        {
          name: "split",
          value: "DATASET",
          help:
            "publish each record as the sides DATASET joins, one message per side on <prefix>.raw.<side>",
          key: "split",
          choices: SPLIT_DATASETS,
        },
        {
          name: "late",
          value: "SIDE:D",
          help:
            "with --split, publish each message of SIDE this long after its record's other sides (e.g. volumes:5s)",
          key: "late",
          parse: lateSide,
        },
        ...NATS_FLAGS,
        jsonFlag("the report"),
      ],
    },
    RUN_CONFIG_FLAGS,
  ],
  notes: "Durations: 500ms, 30s, 5m.",
  exit: [
    [0, "every record published"],
    [1, "a partition failed to extract, or NATS refused a message"],
    [2, "bad usage"],
    [4, "stopped by SIGINT/SIGTERM"],
  ],
  async run({ config, options, runtime }) {
    // Loaded when the command runs: other commands do not load NATS.
    const { connectNats, ensureStreams, produce } = await import(
      "@pipeline/stream/mod.ts"
    );
    const { logger, clock } = runtime;
    let source: Source;
    // The finnhub source of the producer is the live trade feed, listened
    // to for --duration (default 60 s), not the REST candles of run.
    const live = config.source === "finnhub";
    try {
      if (live) {
        const token = runtime.env[FINNHUB_KEY_VARIABLE];
        if (!token) {
          throw new EtlError(
            `the finnhub trade feed needs ${FINNHUB_KEY_VARIABLE}`,
            { stage: "config" },
          );
        }
        source = finnhubTradeSource({
          url: runtime.env.FINNHUB_WS_URL ?? FINNHUB_DEFAULT_WS_URL,
          token,
          symbols: config.symbols,
          durationMs: (options.durationMs as number | undefined) ?? 60_000,
        });
      } else {
        source = await sourceFor(config, { clock });
      }
    } catch (err) {
      logger.error(`error: ${errorMessage(err)}`);
      return err instanceof EtlError && err.stage === "config"
        ? EXIT.usage
        : EXIT.failed;
    }
    let sides: readonly StreamSide[] | undefined;
    const late = options.late as { side: string; ms: number } | undefined;
    try {
      const split = options.split as string | undefined;
      if (split) sides = splitSides(DATASETS[split]!, source.dataset);
      if (late && !sides?.some((s) => s.subject === late.side)) {
        throw new Error(
          `--late ${late.side}: not a side of --split ${split ?? "(none)"}`,
        );
      }
    } catch (err) {
      logger.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    const topology = topologyOf(options);
    let nats;
    try {
      nats = await connectNats(options.natsUrl as string);
    } catch (err) {
      logger.error(`error: ${errorMessage(err)}`);
      return EXIT.failed;
    }
    try {
      await ensureStreams(nats.jsm, topology);
      const report = await withSignals(logger, (signal) =>
        produce(source, {
          topology,
          rate: options.rate as number | undefined,
          durationMs: live
            ? undefined
            : options.durationMs as number | undefined,
          sides,
          delays: late ? { [late.side]: late.ms } : undefined,
        }, {
          js: nats.js,
          signal,
          log: (line) => logger.warn(line),
        }));
      logger.info(
        `produce: ${report.published} messages on ${
          sides
            ? sides.map((s) => topology.raw(s.subject)).join(", ")
            : topology.raw(report.dataset)
        } (${report.duplicates} duplicates dropped) in ${
          report.seconds.toFixed(1)
        } s`,
      );
      if (options.json) console.log(JSON.stringify(report));
      if (report.failed.length > 0) return EXIT.failed;
      return report.stopped && !live && options.durationMs === undefined
        ? EXIT.interrupted
        : EXIT.ok;
    } catch (err) {
      logger.error(`error: ${errorMessage(err)}`);
      return EXIT.failed;
    } finally {
      await nats.close();
    }
  },
};
