/**
 * Timing of a run's stages: rows in and out and seconds per stage, a
 * progress bar over its rows while it runs, and any failure wrapped in an `EtlError`
 * naming the stage.
 * @module
 */
import { errorMessage, EtlError, type Stage } from "@pipeline/errors.ts";
import type { StageStat } from "@pipeline/summary.ts";
import { noProgress, type Progress } from "@pipeline/ops/progress.ts";

/** Options of {@link stageTimer}. */
export interface StageTimerOptions {
  /** Receives each finished stage's figures. */
  onStage: (stat: StageStat) => void;
  /** The run, named in wrapped errors. */
  runId: string;
  /** Shows the stage's bar while it runs (not the extract, which shows its own). Default nothing. */
  progress?: Progress | undefined;
  /** Gets `<stage>: <rows out> rows` per finished stage. Default nothing. */
  log?: ((line: string) => void) | undefined;
}

/**
 * Runs one stage: `timed(stage, rowsIn, fn, rowsOut, options)`. `fn` is
 * handed `onRows`, to call with the rows done as the stage goes (a COPY
 * chunk sent, a lake chunk staged), so its bar moves before the stage ends;
 * what it did not report is counted when it ends. It is also handed
 * `onTotal`, to give the bar its total once known, when that is not
 * `rowsIn` (a snapshot rewrites whole partitions); undefined when nothing
 * is drawn, so a stage does not count for nobody.
 */
export type TimedStage = <T>(
  stage: Stage,
  rowsIn: number,
  fn: (
    onRows: (rows: number) => void,
    onTotal: ((rows: number) => void) | undefined,
  ) => Promise<T> | T,
  rowsOut: (t: T) => number,
  options?: TimedStageOptions,
) => Promise<T>;

/** Options of a {@link TimedStage} call. */
export interface TimedStageOptions {
  /**
   * The bar's total: `rowsIn` (when above 0), or unknown when false (a
   * stage whose rows out are not bounded by its rows in). Default `rowsIn`.
   */
  total?: boolean;
}

/**
 * A function that runs a stage, reports its figures to `onStage` and
 * rethrows a failure as an `EtlError` of that stage (an `EtlError` as is).
 */
export function stageTimer(options: StageTimerOptions): TimedStage {
  const { onStage, runId, progress = noProgress, log = () => {} } = options;
  return async (stage, rowsIn, fn, rowsOut, timedOptions = {}) => {
    const t0 = performance.now();
    let total = timedOptions.total !== false && rowsIn > 0 ? rowsIn : undefined;
    const task = stage === "extract"
      ? null
      : progress.start(stage, total === undefined ? {} : { total });
    let counted = 0;
    const onRows = (rows: number) => {
      const n = total === undefined
        ? rows
        : Math.min(rows, Math.max(0, total - counted));
      counted += n;
      if (n > 0) task?.advance(n);
    };
    const onTotal = (rows: number) => {
      total = Math.max(rows, counted);
      task?.setTotal(total);
    };
    try {
      const out = await fn(onRows, task && progress.live ? onTotal : undefined);
      const rest = (total ?? rowsOut(out)) - counted;
      if (rest > 0) task?.advance(rest);
      onStage({
        stage,
        rows_in: rowsIn,
        rows_out: rowsOut(out),
        seconds: (performance.now() - t0) / 1000,
      });
      task?.done();
      log(`${stage}: ${rowsOut(out)} rows`);
      return out;
    } catch (err) {
      task?.done();
      throw err instanceof EtlError
        ? err
        : new EtlError(errorMessage(err), { stage, runId, cause: err });
    }
  };
}
