/**
 * `deno task etl backfill`: a date range in resumable chunks.
 * @module
 */
import { backfillEngines, noBackfillMessage } from "@pipeline/sources.ts";
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { payDebtFirst } from "@pipeline/cli/lake_debt.ts";
import { webhookAlerter } from "@pipeline/ops/alerts.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { dryRunFlag, jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { pipelineName } from "@pipeline/cli/pipeline_name.ts";
import {
  PIPELINE_FLAG,
  RUN_CONFIG_FLAGS,
  WAIT_FLAG,
} from "@pipeline/cli/run_flags.ts";
import { ConfigError, type RunConfig } from "@pipeline/config.ts";
import { systemClock } from "@pipeline/clock.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { peakRssMib } from "@pipeline/summary.ts";
import {
  daysOf,
  REPROCESS,
  type Reprocess,
} from "@pipeline/incremental/backfill.ts";

/** The options of `backfill` read from its flags. */
interface BackfillOptions {
  from?: string;
  to?: string;
  reprocess: Reprocess;
  dryRun: boolean;
  wait: boolean;
  json: boolean;
  pipeline?: string;
}

/** The backfill range, checked before the database is opened. */
function checkRange(
  o: BackfillOptions,
  config: RunConfig,
): { from: string; to: string } {
  const { from, to } = o;
  if (!from || !to) {
    throw new ConfigError("backfill needs --from DATE and --to DATE");
  }
  if (!backfillEngines(config).includes(config.source)) {
    throw new ConfigError(noBackfillMessage(config));
  }
  daysOf(from, to);
  return { from, to };
}

/** The `backfill` command. */
export const backfillCommand: Command = {
  name: "backfill",
  summary:
    "a date range in chunks of one day per symbol or location, resumable: deno task etl backfill --from DATE --to DATE",
  usage: "deno task etl backfill --from DATE --to DATE [FLAGS]",
  description:
    `Processes the UTC days [--from, --to) in chunks of one day of one partition
(symbol or location), each chunk loaded in its own transaction with its row
in etl_backfill_chunks: an interrupted backfill (SIGINT/SIGTERM stops at the
next chunk; a kill rolls the chunk back) resumes without redoing finished
chunks. Watermarks never move back. Progress lines: done/total, rows, ETA.
Recorded as a run with trigger backfill; the written dates are snapshotted.
The run flags choose the source as for run (--from-raw rebuilds from
DATA_DIR/raw without API calls).`,
  flags: [
    {
      title: "Flags",
      flags: [
        {
          name: "from",
          value: "DATE",
          help: "first UTC day, included (YYYY-MM-DD)",
          key: "from",
        },
        {
          name: "to",
          value: "DATE",
          help: "end UTC day, excluded (YYYY-MM-DD)",
          key: "to",
        },
        {
          name: "reprocess",
          value: "WHICH",
          help:
            "which chunks: those without a successful load, only failed or interrupted ones, or all",
          key: "reprocess",
          choices: REPROCESS,
          default: "missing",
        },
        dryRunFlag("the chunks it would process"),
        WAIT_FLAG,
        PIPELINE_FLAG,
        jsonFlag("the report"),
      ],
    },
    RUN_CONFIG_FLAGS,
  ],
  exit: [
    [0, "every chunk succeeded"],
    [1, "some failed"],
    [2, "bad usage"],
    [3, "locked"],
    [4, "interrupted (run it again to resume)"],
  ],
  async run({ config, options, runtime }) {
    const o = options as unknown as BackfillOptions;
    let range: { from: string; to: string };
    try {
      range = checkRange(o, config);
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    const runId = crypto.randomUUID();
    const log = runtime.logger.child({ run_id: runId });
    const { backfillCommand: runBackfill, formatBackfill } = await import(
      "@pipeline/incremental/backfill_command.ts"
    );
    return await withDatabase(config, runtime.logger, async (client) => {
      if (config.snapshot && !o.dryRun) {
        await payDebtFirst(client, { dataDir: config.dataDir, logger: log });
      }
      let outcome;
      try {
        outcome = await withSignals(log, (signal) =>
          runBackfill({
            config,
            pipeline: pipelineName(config, o.pipeline),
            runId,
            ...range,
            reprocess: o.reprocess,
            dryRun: o.dryRun,
            wait: o.wait,
          }, {
            client,
            clock: runtime.clock,
            wallClock: systemClock,
            logger: log,
            signal,
            sourceDeps: { clock: runtime.clock },
            alerter: webhookAlerter({
              url: runtime.env.ALERT_WEBHOOK_URL,
              logger: log,
              secrets: runtime.secrets,
            }),
            secrets: runtime.secrets,
            progress: runtime.progress,
          }));
      } catch (err) {
        log.error(`error: ${errorMessage(err)}`);
        return err instanceof EtlError && err.stage === "config"
          ? EXIT.usage
          : EXIT.failed;
      }
      if (outcome.status === "locked") {
        log.error(outcome.message);
        return EXIT.locked;
      }
      console.error(formatBackfill(outcome.report));
      if (o.json) {
        console.log(
          JSON.stringify({ ...outcome.report, peak_rss_mib: peakRssMib() }),
        );
      }
      return outcome.status === "succeeded"
        ? EXIT.ok
        : outcome.status === "interrupted"
        ? EXIT.interrupted
        : EXIT.failed;
    });
  },
};
