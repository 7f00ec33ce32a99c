/**
 * The extract stage of a run: every partition of the source, one after
 * the other, each failure recorded and told once per cause. It needs no
 * database once the windows are known (none for a source read whole, or
 * for a new database, which holds no watermarks), so the `run` command
 * starts it while PGlite's directory is copied and opened
 * (`@pipeline/cli/commands/run.ts`) and hands the running stage to the run
 * (`RunDeps.extraction`), which checks the windows against the watermarks.
 * @module
 */
import pl from "nodejs-polars";
import type { Source } from "@pipeline/extract/source.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import {
  type PartitionOutcome,
  processSeconds,
  type StageStat,
} from "@pipeline/summary.ts";
import { noProgress, type Progress } from "@pipeline/ops/progress.ts";
import { checkpoint } from "@pipeline/runner/interrupted.ts";
import { stageTimer } from "@pipeline/runner/stage_timer.ts";

/** What the extract stage delivered. */
export interface Extraction {
  /** Every partition's frame, concatenated; null when none delivered one. */
  raw: pl.DataFrame | null;
  /** Each partition's outcome, in source order. */
  partitions: PartitionOutcome[];
  /** The stage's figures. */
  stage: StageStat;
  /** When the stage began (ISO-8601 with milliseconds). */
  startedAt: string;
  /** Seconds from the start of the process to the stage's beginning. */
  startupSeconds: number;
  /** The windows the source was asked for (none: its whole window). */
  since: ReadonlyMap<string, Date>;
}

/** Options of {@link extractStage}. */
export interface ExtractStageOptions {
  /** The run, named in errors. */
  runId: string;
  /** Per entity, where an incremental source starts. Default none. */
  since?: ReadonlyMap<string, Date> | undefined;
  /** Stops the stage between partitions. */
  signal?: AbortSignal | undefined;
  /** Shows the partitions as they are read. Default nothing. */
  progress?: Progress | undefined;
  /** Gets a line per failed partition and one when the stage ends. */
  log?: ((line: string) => void) | undefined;
  /**
   * Gets each partition's outcome as it is read (a run's summary, which
   * keeps them if the stage stops midway). Default a new list.
   */
  into?: PartitionOutcome[] | undefined;
}

/** Reads every partition of `source`; see the module doc. */
export async function extractStage(
  source: Source,
  options: ExtractStageOptions,
): Promise<Extraction> {
  const { runId, signal, progress = noProgress, log = () => {} } = options;
  const since = options.since ?? new Map<string, Date>();
  checkpoint(signal, {
    stage: "extract",
    what: "before the extract; nothing was loaded",
    runId,
  });
  const startupSeconds = Math.round(processSeconds() * 100) / 100;
  const startedAt = new Date().toISOString();
  const partitions = options.into ?? [];
  let stage: StageStat | undefined;
  const timed = stageTimer({
    onStage: (stat) => stage = stat,
    runId,
    progress,
    log,
  });
  const raw = await timed("extract", 0, async () => {
    const frames: pl.DataFrame[] = [];
    let lastCause: { cause: string; partition: string } | undefined;
    const all = source.partitions({ since });
    const task = progress.start("extract", {
      total: all.length,
      unit: "partitions",
    });
    for (const partition of all) {
      if (signal?.aborted) {
        task.done();
        checkpoint(signal, {
          stage: "extract",
          what: `before partition ${partition.name}; nothing was loaded`,
          runId,
        });
      }
      try {
        const frame = await partition.extract(signal);
        task.advance(1, frame.height);
        frames.push(frame);
        partitions.push({
          partition: partition.name,
          status: "succeeded",
          rows: frame.height,
        });
      } catch (err) {
        task.advance(1, 0);
        partitions.push({
          partition: partition.name,
          status: "failed",
          rows: 0,
          error: errorMessage(err),
          transient: err instanceof EtlError ? err.transient : false,
        });
        // One cause failing many partitions (an unreachable host, a
        // missing key) is told once, then named.
        const cause = errorMessage(err).replaceAll(partition.name, "…");
        log(
          `extract: partition ${partition.name} failed: ${
            cause === lastCause?.cause
              ? `the same error as ${lastCause.partition}`
              : errorMessage(err)
          }`,
        );
        if (cause !== lastCause?.cause) {
          lastCause = { cause, partition: partition.name };
        }
      }
    }
    task.done();
    return frames.length ? pl.concat(frames, { how: "vertical" }) : null;
  }, (f) => f?.height ?? 0);
  return { raw, partitions, stage: stage!, startedAt, startupSeconds, since };
}
