/**
 * Progress bars for long work, on a terminal only: one bar per stage
 * (extract over its partitions, load and snapshot over their rows, a
 * backfill over its chunks) with rows, rate and ETA,
 *
 * ```
 * extract   [████████░░░░░░░░░░░░] 12/30 partitions | 4,680 rows | 1,234 rows/s | ETA 3s
 * load      [████████████████████] 11,686/11,686 rows | 52,311 rows/s | 0.2s
 * ```
 *
 * drawn by `cli-progress` (a MultiBar on stderr; its SIGINT handling is off,
 * the run's own stop signals stay in charge). Finished bars stay as a line
 * each; log lines are written above the bars. Silent everywhere else
 * (pipes, files, the scheduler's child processes, JSON logs, `--json`).
 * @module
 */
import cliProgress from "cli-progress";
import process from "node:process";

/** One bar being shown. */
export interface ProgressTask {
  /** Counts `n` more units done (default 1) and `rows` more rows. */
  advance(n?: number, rows?: number): void;
  /** Sets the units to do, once known after the start. */
  setTotal(total: number): void;
  /** Ends the task; its bar stays, complete, as a line. */
  done(): void;
}

/** Options of {@link Progress.start}. */
export interface ProgressStartOptions {
  /** Units to do, when known. Default unknown. */
  total?: number | undefined;
  /** What the units are (`partitions`, `chunks`). Default `rows`. */
  unit?: string;
}

/** Shows the progress of stages. */
export interface Progress {
  /** Whether anything is drawn (a terminal), so log lines per step may be left out. */
  readonly live: boolean;
  /** Starts a bar for `label`. */
  start(label: string, options?: ProgressStartOptions): ProgressTask;
  /** Writes a log line (ending in a newline) above the bars. */
  log(line: string): void;
}

/** What one bar shows. */
export interface BarState {
  label: string;
  /** Units done. */
  done: number;
  total: number | undefined;
  /** Default `rows`. */
  unit: string;
  /** Rows done (the units, when the unit is rows). */
  rows: number;
  elapsedMs: number;
  /** Whether the task ended. */
  finished: boolean;
}

const WIDTH = 14;
const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** `3s`, `1m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The text of one bar (no control characters). */
export function renderBar(state: BarState): string {
  const { done, total, unit, rows, elapsedMs, finished } = state;
  const ratio = total ? Math.min(1, done / total) : finished ? 1 : 0;
  const filled = Math.round(ratio * WIDTH);
  const bar = `[${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}]`;
  const parts = [
    `${state.label.padEnd(9)} ${bar} ${count(done)}${
      total === undefined ? "" : `/${count(total)}`
    } ${unit}`,
  ];
  if (unit !== "rows") parts.push(`${count(rows)} rows`);
  const seconds = elapsedMs / 1000;
  if (rows > 0 && seconds > 0) parts.push(`${count(rows / seconds)} rows/s`);
  if (finished) parts.push(seconds.toFixed(1) + "s");
  else if (total !== undefined && done > 0) {
    parts.push(`ETA ${formatDuration((elapsedMs / done) * (total - done))}`);
  } else parts.push(`ETA ?`);
  return parts.join(" | ");
}

/** A {@link Progress} that shows nothing. */
export const noProgress: Progress = {
  live: false,
  start: () => ({ advance() {}, setTotal() {}, done() {} }),
  log() {},
};

/** The stream a {@link terminalProgress} draws on (a Node writable TTY). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Options of {@link terminalProgress}. */
export interface TerminalProgressOptions {
  /** Where bars are drawn. Default `process.stderr`. */
  stream?: ProgressStream;
  /** Redraws per second. Default 5. */
  fps?: number;
  /** Monotonic milliseconds. Default `performance.now`. */
  now?: () => number;
}

/**
 * Bars redrawn on a terminal while tasks run (cli-progress's MultiBar),
 * its redraw timer running only while a task is active; {@link noProgress}
 * when the stream is not a TTY. See {@link progressFor}.
 */
export function terminalProgress(
  options: TerminalProgressOptions = {},
): Progress {
  const {
    stream = process.stderr as unknown as ProgressStream,
    fps = 5,
    now = () => performance.now(),
  } = options;
  if (!stream.isTTY) return noProgress;
  const states = new Map<object, BarState & { t0: number }>();
  let multibar: cliProgress.MultiBar | undefined;
  let active = 0;
  const create = () =>
    new cliProgress.MultiBar({
      stream: stream as never,
      fps,
      gracefulExit: false,
      hideCursor: false,
      clearOnComplete: false,
      linewrap: false,
      barsize: WIDTH,
      format: (_options, _params, payload: { key: object }) => {
        const state = states.get(payload.key);
        if (!state) return "";
        if (!state.finished) state.elapsedMs = now() - state.t0;
        return renderBar(state);
      },
    });
  return {
    live: true,
    log(line) {
      if (multibar && active > 0) {
        multibar.log(line.endsWith("\n") ? line : `${line}\n`);
        multibar.update();
      } else stream.write(line.endsWith("\n") ? line : `${line}\n`);
    },
    start(label, startOptions = {}) {
      const { total, unit = "rows" } = startOptions;
      const key = {};
      const state = {
        label,
        done: 0,
        total,
        unit,
        rows: 0,
        elapsedMs: 0,
        finished: false,
        t0: now(),
      };
      states.set(key, state);
      multibar ??= create();
      active++;
      const bar = multibar.create(total ?? 1, 0, { key });
      let ended = false;
      let barTotal = total;
      return {
        advance(n = 1, rows = 0) {
          state.done += n;
          state.rows += unit === "rows" ? n : rows;
        },
        setTotal(units) {
          barTotal = units;
          state.total = units;
          bar.setTotal(units);
        },
        done() {
          if (ended) return;
          ended = true;
          state.elapsedMs = now() - state.t0;
          state.finished = true;
          bar.update(barTotal ?? 1);
          bar.stop();
          active--;
          if (active === 0 && multibar) {
            multibar.stop();
            multibar = undefined;
            states.clear();
          }
        },
      };
    },
  };
}

/**
 * The progress display for an output: {@link terminalProgress} when it is a
 * terminal and the log format is text, else {@link noProgress}.
 */
export function progressFor(
  options: {
    isTerminal: boolean;
    format: "text" | "json";
    /** Where bars are drawn. Default `process.stderr`. */
    stream?: ProgressStream;
  },
): Progress {
  const { stream } = options;
  return options.isTerminal && options.format === "text"
    ? terminalProgress(stream ? { stream } : {})
    : noProgress;
}
