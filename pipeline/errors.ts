/**
 * Errors that name where they happened and whether a retry can help.
 * @module
 */

/** The stages of a run, in flow order, then the retention of old partitions. */
export type Stage =
  | "config"
  | "extract"
  | "validate"
  | "transform"
  | "quality"
  | "load"
  | "snapshot"
  | "retention";

/** What an {@link EtlError} knows about where it happened. */
export interface EtlErrorOptions {
  /** The stage that failed. */
  stage: Stage;
  /** The partition (symbol, location, file, time window) if there is one. */
  partition?: string | undefined;
  /** The run id, when a run was under way. */
  runId?: string | undefined;
  /** Whether running again unchanged may succeed (network, lock, timeout). */
  transient?: boolean | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * An error of one stage of a run. The message reads
 * `[stage partition] message (retry may help)`.
 *
 * @example Wrap a failure with its stage
 * ```ts
 * import { EtlError } from "@pipeline/errors.ts";
 * const err = new EtlError("cannot read input.csv: not found", { stage: "extract" });
 * err.transient; // false
 * ```
 */
export class EtlError extends Error {
  readonly stage: Stage;
  readonly partition: string | undefined;
  readonly runId: string | undefined;
  readonly transient: boolean;

  constructor(message: string, options: EtlErrorOptions) {
    const where = [options.stage, options.partition].filter(Boolean).join(" ");
    const hint = options.transient ? " (transient: a retry may help)" : "";
    super(`[${where}] ${message}${hint}`, { cause: options.cause });
    this.name = "EtlError";
    this.stage = options.stage;
    this.partition = options.partition;
    this.runId = options.runId;
    this.transient = options.transient ?? false;
  }
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
