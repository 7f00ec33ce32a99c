/**
 * `deno task etl [run]`: one guarded run of the pipeline.
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withDatabase } from "@pipeline/cli/database.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { jsonFlag } from "@pipeline/cli/shared_flags.ts";
import { pipelineName } from "@pipeline/cli/pipeline_name.ts";
import {
  DRY_RUN_FLAG,
  PIPELINE_FLAG,
  RUN_CONFIG_FLAGS,
  WAIT_FLAG,
} from "@pipeline/cli/run_flags.ts";
import { isoTime, positiveInteger, uuid } from "@pipeline/cli/values.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { dryRun, formatDryRun } from "@pipeline/cli/dry_run.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { systemClock } from "@pipeline/clock.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import { executeRun } from "@pipeline/ops/execute.ts";
import {
  type Extraction,
  extractStage,
} from "@pipeline/runner/extract_stage.ts";
import { sourceWindows } from "@pipeline/incremental/window.ts";
import { webhookAlerter } from "@pipeline/ops/alerts.ts";
import {
  formatSummary,
  RUN_TRIGGERS,
  type RunTrigger,
} from "@pipeline/summary.ts";

/** The options of `run` read from its flags. */
interface RunOptions {
  pipeline?: string;
  wait: boolean;
  trigger: RunTrigger;
  json: boolean;
  runId?: string;
  attempt: number;
  scheduledFor?: string;
}

/** The `run` command. */
export const runCommand: Command = {
  name: "run",
  summary: "one run of the pipeline (the default command)",
  usage: "deno task etl [run] [FLAGS]",
  description:
    `One run: extract -> validate -> transform -> load -> snapshot, then a summary
table on stderr (and with --json, one JSON object on stdout). Only one run of
a pipeline at a time: a second one exits with status 3 at once (or waits,
with --wait).`,
  flags: [
    RUN_CONFIG_FLAGS,
    {
      title: "Flags",
      flags: [
        DRY_RUN_FLAG,
        PIPELINE_FLAG,
        WAIT_FLAG,
        {
          name: "trigger",
          value: "KIND",
          help: "what started the run, as recorded",
          key: "trigger",
          choices: RUN_TRIGGERS,
          default: "manual",
        },
        jsonFlag("the run summary"),
      ],
    },
    {
      title: "Set by the scheduler (you rarely need them)",
      flags: [
        {
          name: "run-id",
          value: "UUID",
          help: "the run's id",
          key: "runId",
          parse: uuid,
          shownDefault: "a new UUID",
        },
        {
          name: "attempt",
          value: "N",
          help: "the attempt of a scheduled occurrence",
          key: "attempt",
          parse: positiveInteger,
          default: 1,
        },
        {
          name: "scheduled-for",
          value: "TIME",
          help: "the occurrence the run is for (ISO-8601)",
          key: "scheduledFor",
          parse: isoTime,
        },
      ],
    },
  ],
  exit: [
    [0, "ok"],
    [1, "the run failed (summary says why)"],
    [2, "bad usage"],
    [
      3,
      "locked (another run of the pipeline is in progress, another scheduler of it, or the PGlite directory is in use)",
    ],
    [4, "interrupted by SIGINT/SIGTERM"],
  ],
  async run({ config, options, runtime }) {
    const o = options as unknown as RunOptions;
    const { clock, logger } = runtime;
    const runId = o.runId ?? crypto.randomUUID();
    const log = logger.child({ run_id: runId });
    let source: Source;
    try {
      source = await sourceFor(config, {
        clock,
        warn: (message) => log.warn(`extract: ${message}`),
        http: {
          log: (e) =>
            log.warn(
              `extract: ${e.source} ${e.partition}: attempt ${e.attempt} failed (${e.reason}); retrying in ${
                (e.waitMs / 1000).toFixed(1)
              } s`,
            ),
        },
      });
    } catch (err) {
      log.error(`error: ${errorMessage(err)}`);
      return err instanceof EtlError && err.stage === "config"
        ? EXIT.usage
        : EXIT.failed;
    }
    if (config.dryRun) {
      const report = await dryRun(source, { now: clock.now() });
      if (o.json) console.log(JSON.stringify(report));
      else console.error(formatDryRun(report));
      return report.partitions.some((p) => p.error !== undefined)
        ? EXIT.failed
        : EXIT.ok;
    }
    // With PGlite, the extract runs while the directory is copied and
    // opened when its windows are known without the database: a source
    // read whole, or a new directory (no watermarks). The directory lock,
    // taken first, keeps any other process from running at the same time;
    // the run checks the windows against the watermarks.
    const incremental = config.incremental && { lagMs: config.lagMs };
    return await withSignals(log, async (signal) => {
      const stopExtract = new AbortController();
      const extractSignal = AbortSignal.any([signal, stopExtract.signal]);
      let extraction: Promise<Extraction> | undefined;
      let opened = false;
      const code = await withDatabase(config, logger, async (client) => {
        opened = true;
        const outcome = await executeRun({
          pipeline: pipelineName(config, o.pipeline),
          runId,
          dataDir: config.dataDir,
          snapshot: config.snapshot,
          incremental,
          trigger: o.trigger,
          attempt: o.attempt,
          scheduledFor: o.scheduledFor === undefined
            ? undefined
            : new Date(o.scheduledFor),
          wait: o.wait,
        }, {
          client,
          clock,
          wallClock: systemClock,
          logger: log,
          source: () => source,
          signal,
          progress: runtime.progress,
          alerter: webhookAlerter({
            url: runtime.env.ALERT_WEBHOOK_URL,
            logger: log,
            secrets: runtime.secrets,
          }),
          secrets: runtime.secrets,
          extraction,
        });
        if (outcome.status === "locked") {
          log.error(outcome.message);
          return EXIT.locked;
        }
        const summary = outcome.summary;
        if (summary) {
          if (runtime.logFormat === "text") {
            console.error(formatSummary(summary));
          } else {
            log.info(`run ${summary.status}`, {
              status: summary.status,
              counts: summary.counts,
              error: summary.error ?? undefined,
            });
          }
          if (o.json) console.log(JSON.stringify(summary));
        }
        if (outcome.status === "interrupted") {
          log.warn("run interrupted: stopped at a safe point");
          return EXIT.interrupted;
        }
        return outcome.status === "succeeded" ? EXIT.ok : EXIT.failed;
      }, {
        whileOpening(fresh) {
          if (incremental && source.incremental && !fresh) return;
          extraction = extractStage(source, {
            runId,
            since: sourceWindows(source, new Map(), incremental),
            signal: extractSignal,
            progress: runtime.progress,
            log: (line) => log.info(line),
          });
          // Awaited by the run; dropped if the database does not open.
          extraction.catch(() => {});
        },
      });
      // The database did not open: the extract is of no use.
      if (!opened) stopExtract.abort(new Error("the database did not open"));
      return code;
    });
  },
};
