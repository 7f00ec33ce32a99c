/**
 * SIGINT/SIGTERM handling shared by `run` and `schedule`: the first signal
 * asks for a graceful stop, a second one (later than `debounceMs`) forces
 * an exit. A repeat within `debounceMs` is the same stop request delivered
 * twice (a supervisor signalling both the process and its group, like
 * `timeout` or systemd's control-group kill) and is ignored.
 * @module
 */
import type { Logger } from "@pipeline/ops/logging.ts";

/** The signals that stop a command. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Options of {@link handleStopSignals}. */
export interface StopSignalOptions {
  logger: Logger;
  /** The graceful stop. */
  onStop: (signal: string) => void;
  /** The forced exit (a second signal). */
  onForce: (signal: string) => void;
  /** Repeats within this many ms are ignored. Default 2000. */
  debounceMs?: number;
  /** Monotonic ms. Default `performance.now`. */
  now?: () => number;
  /** Installs a listener; default `Deno.addSignalListener`. */
  listen?: (signal: typeof STOP_SIGNALS[number], fn: () => void) => void;
  /** Removes a listener; default `Deno.removeSignalListener`. */
  unlisten?: (signal: typeof STOP_SIGNALS[number], fn: () => void) => void;
}

/** Installs the listeners; returns a function removing them. */
export function handleStopSignals(options: StopSignalOptions): () => void {
  const {
    logger,
    onStop,
    onForce,
    debounceMs = 2000,
    now = () => performance.now(),
    listen = (s, fn) => Deno.addSignalListener(s, fn),
    unlisten = (s, fn) => Deno.removeSignalListener(s, fn),
  } = options;
  let first: number | null = null;
  const installed = STOP_SIGNALS.map((sig) => {
    const fn = () => {
      if (first === null) {
        first = now();
        logger.warn(
          `${sig} received: stopping at the next safe point (a load in ` +
            `progress commits or rolls back first); send it again to exit at once`,
        );
        onStop(sig);
      } else if (now() - first < debounceMs) {
        logger.debug(`${sig} received again at once: the same stop request`);
      } else {
        logger.error(`${sig} received again: exiting at once`);
        onForce(sig);
      }
    };
    listen(sig, fn);
    return [sig, fn] as const;
  });
  return () => {
    for (const [sig, fn] of installed) unlisten(sig, fn);
  };
}
