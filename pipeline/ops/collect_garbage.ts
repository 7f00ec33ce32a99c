/**
 * A full garbage collection, where the process exposes one (Deno started
 * with `--v8-flags=--expose-gc`, as `deno task etl` is); else nothing.
 *
 * Why a long-running consumer wants it: every polars object (an `Expr`, a
 * `Series`, a `DataFrame`) is a native object whose finalizer runs when V8
 * collects it, and under Deno 2.9 finalizing many of them at once costs far
 * more than linear time. A micro-batch makes a few thousand; left to V8,
 * their garbage piles up in the old generation for a few hundred batches
 * and is then finalized in one turn of the event loop that blocked the
 * stream consumer for 2 to 4 s (27 s in a loop of validations alone),
 * stalling NATS and Postgres with it. Collected after every batch, the
 * same garbage is finalized in a few milliseconds each time.
 *
 * Returns the milliseconds it took (0 when there is no collector to call).
 * @module
 */

type Gc = (options?: { type?: "major" | "minor" }) => void;

/** Collects garbage now, if the runtime allows it; returns its ms. */
export function collectGarbage(): number {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (typeof gc !== "function") return 0;
  const t0 = performance.now();
  gc();
  return performance.now() - t0;
}

/**
 * Collects garbage and what the collected native objects' finalizers free:
 * a collection queues the finalizers, a turn of the event loop runs them,
 * a second collection takes what they let go (a polars frame's memory).
 * Returns the milliseconds it took (0 when there is no collector to call).
 */
export async function collectFinalized(): Promise<number> {
  if (typeof (globalThis as { gc?: Gc }).gc !== "function") return 0;
  const t0 = performance.now();
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  return performance.now() - t0;
}
