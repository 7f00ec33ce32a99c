/**
 * `deno task etl validate-stream`: the validation processor of the staging
 * topology, sluice.raw.* to sluice.valid.* or sluice.quarantine.*.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { NATS_FLAGS, topologyOf } from "@pipeline/cli/stream_flags.ts";
import { CONSUMER_FLAGS } from "@pipeline/cli/commands/stream.ts";
import { errorMessage } from "@pipeline/errors.ts";

/** The `validate-stream` command. */
export const validateStreamCommand: Command = {
  name: "validate-stream",
  summary:
    "validate sluice.raw.* into sluice.valid.* and sluice.quarantine.* (with reasons)",
  usage: "deno task etl validate-stream [--until-idle D] [FLAGS]",
  description:
    `The validation processor: a durable pull consumer on <STREAM>_RAW validates
each micro-batch with its dataset's rules and republishes each record on
<prefix>.valid.<dataset> as it came, or on <prefix>.quarantine.<dataset> as
{record, field, reason, raw} (one per rejected field), then acknowledges the
batch. Publishes carry ids derived from the raw sequence, so a batch
delivered again within the duplicate window is not published twice. Load
the valid records with deno task etl stream --from valid. Needs no database.`,
  flags: [
    {
      title: "Flags",
      flags: [
        // Its batches are republished at once: 5,000 messages, not the
        // loader's 50,000.
        ...CONSUMER_FLAGS.map((f) =>
          f.key === "batchSize" ? { ...f, default: 5000 } : f
        ),
        {
          name: "consumer",
          value: "NAME",
          help: "the durable consumer",
          key: "consumer",
          default: "sluice-validate",
        },
        ...NATS_FLAGS,
        jsonFlag("the processor's report"),
      ],
    },
  ],
  notes: "Durations: 500ms, 5s, 1m.",
  exit: [
    [0, "idle (--until-idle) or stopped by SIGINT/SIGTERM after a batch"],
    [1, "cannot reach NATS"],
    [2, "bad usage"],
  ],
  async run({ options, runtime }) {
    // Loaded when the command runs: other commands do not load NATS.
    const { connectNats, ensureStreams, validateStream } = await import(
      "@pipeline/stream/mod.ts"
    );
    const { logger, clock } = runtime;
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
        validateStream({
          topology,
          consumer: options.consumer as string,
          batchSize: options.batchSize as number,
          maxWaitMs: (options.maxWaitMs as number | undefined) ?? 1000,
          lingerMs: (options.lingerMs as number | undefined) ?? 50,
          untilIdleMs: options.untilIdleMs as number | undefined,
        }, {
          nats,
          clock,
          log: (line) => logger.info(line),
          signal,
          secrets: runtime.secrets,
        }));
      logger.info(
        `validate-stream: stopped (${report.stopped}): ${report.received} messages, ${report.valid} valid, ${report.rejected} rejected`,
      );
      if (options.json) console.log(JSON.stringify(report));
      return EXIT.ok;
    } catch (err) {
      logger.error(`error: ${errorMessage(err)}`);
      return EXIT.failed;
    } finally {
      await nats.close();
    }
  },
};
