/**
 * SIGINT/SIGTERM as an abort signal for a command's work.
 * @module
 */
import type { Logger } from "@pipeline/ops/logging.ts";
import { handleStopSignals } from "@pipeline/ops/signals.ts";
import { EXIT } from "@pipeline/cli/exit.ts";

/**
 * Runs `fn` with SIGINT/SIGTERM turned into an abort of its signal; a second
 * signal exits at once with {@link EXIT.interrupted}.
 */
export async function withSignals<T>(
  logger: Logger,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const dispose = handleStopSignals({
    logger,
    onStop: (sig) => stop.abort(new Error(sig)),
    onForce: () => Deno.exit(EXIT.interrupted),
  });
  try {
    return await fn(stop.signal);
  } finally {
    dispose();
  }
}
