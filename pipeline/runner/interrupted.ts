/**
 * Stopping at a safe point: between partitions, chunks or stages, never
 * inside the load transaction, which commits or rolls back whole.
 * @module
 */
import { EtlError, type Stage } from "@pipeline/errors.ts";

/** Thrown at a safe point after the run's signal aborted. */
export class Interrupted extends EtlError {}

/**
 * Throws {@link Interrupted} when `signal` aborted; `what` says where the
 * run stopped and what was committed (`before the load; nothing was
 * loaded`).
 */
export function checkpoint(
  signal: AbortSignal | undefined,
  where: { stage: Stage; what: string; runId?: string | undefined },
): void {
  if (!signal?.aborted) return;
  const why = signal.reason instanceof Error
    ? signal.reason.message
    : String(signal.reason ?? "aborted");
  throw new Interrupted(`interrupted (${why}) ${where.what}`, {
    stage: where.stage,
    runId: where.runId,
  });
}
