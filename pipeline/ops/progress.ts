/**
 * A one-line progress display for long stages, redrawn in place on a
 * terminal (`extract 3/10 partitions 4.2s`) and silent everywhere else
 * (pipes, files, the scheduler's child processes, JSON logs).
 * @module
 */

/** A stage being shown. */
export interface ProgressTask {
  /** Counts `n` more units done (partitions). */
  advance(n?: number): void;
  /** Ends the task and clears its line. */
  done(): void;
}

/** Shows stage progress. */
export interface Progress {
  /** Starts showing `label`, with `total` units when known. */
  start(label: string, total?: number): ProgressTask;
  /** Clears the line so a log line can be written; the next redraw restores it. */
  clear(): void;
}

/** What one progress line shows. */
export interface ProgressState {
  label: string;
  done: number;
  total: number | undefined;
  elapsedMs: number;
  /** Animation frame counter. */
  frame: number;
}

const SPINNER = ["|", "/", "-", "\\"];
const CLEAR_LINE = "\r\x1b[2K";

/** The text of one progress line (no control characters). */
export function renderProgress(state: ProgressState): string {
  const spin = SPINNER[state.frame % SPINNER.length];
  const count = state.total === undefined
    ? ""
    : ` ${state.done}/${state.total}`;
  return `${spin} ${state.label}${count} ${
    (state.elapsedMs / 1000).toFixed(1)
  }s`;
}

/** A {@link Progress} that shows nothing. */
export const noProgress: Progress = {
  start: () => ({ advance() {}, done() {} }),
  clear() {},
};

/** Options of {@link terminalProgress}. */
export interface TerminalProgressOptions {
  /** Writes raw text (no newline added). Default: stderr. */
  write?: (text: string) => void;
  /** Redraw interval in ms. Default 200. */
  intervalMs?: number;
  /** Monotonic milliseconds. Default `performance.now`. */
  now?: () => number;
}

/**
 * A progress line redrawn every `intervalMs` while a task runs. Use only
 * when the output is a terminal: see {@link progressFor}.
 */
export function terminalProgress(
  options: TerminalProgressOptions = {},
): Progress {
  const {
    write = (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    intervalMs = 200,
    now = () => performance.now(),
  } = options;
  let shown = false;
  const clear = () => {
    if (shown) write(CLEAR_LINE);
    shown = false;
  };
  return {
    clear,
    start(label, total) {
      const state: ProgressState = {
        label,
        done: 0,
        total,
        elapsedMs: 0,
        frame: 0,
      };
      const t0 = now();
      const draw = () => {
        state.elapsedMs = now() - t0;
        state.frame++;
        write(`${CLEAR_LINE}${renderProgress(state)}`);
        shown = true;
      };
      const timer = setInterval(draw, intervalMs);
      Deno.unrefTimer(timer);
      return {
        advance(n = 1) {
          state.done += n;
        },
        done() {
          clearInterval(timer);
          clear();
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
  options: { isTerminal: boolean; format: "text" | "json" },
): Progress {
  return options.isTerminal && options.format === "text"
    ? terminalProgress()
    : noProgress;
}
