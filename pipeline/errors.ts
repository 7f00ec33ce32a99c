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
    super(`[${where}] ${excerpt(message, MAX_MESSAGE)}${hint}`, {
      cause: options.cause,
    });
    this.name = "EtlError";
    this.stage = options.stage;
    this.partition = options.partition;
    this.runId = options.runId;
    this.transient = options.transient ?? false;
  }
}

/**
 * The longest message an error carries (characters): a record or response
 * quoted in it is cut by {@link excerpt}, so one malformed field cannot
 * make megabytes of stderr or of a stored error.
 */
export const MAX_MESSAGE = 1000;

/**
 * `text` cut to at most `max` characters (default 300): the head and the
 * tail with `… (N characters cut) …` between, so both what it starts with
 * and where it ends stay readable.
 *
 * @example
 * ```ts
 * import { excerpt } from "@pipeline/errors.ts";
 * excerpt("x".repeat(1_000_000)).length <= 300; // true
 * ```
 */
export function excerpt(text: string, max = 300): string {
  if (text.length <= max) return text;
  const marker = (cut: number) => ` … (${cut} characters cut) … `;
  const keep = Math.max(0, max - marker(text.length).length);
  const head = Math.ceil(keep * 2 / 3);
  const tail = keep - head;
  return `${text.slice(0, head)}${marker(text.length - keep)}${
    tail > 0 ? text.slice(-tail) : ""
  }`;
}

/**
 * The message of any thrown value, at most {@link MAX_MESSAGE} characters:
 * an `Error`'s message (with a system error's code and path when the
 * message lacks them), an object's `message`, else its text: never
 * `[object Object]`.
 */
export function errorMessage(err: unknown): string {
  return excerpt(rawMessage(err), MAX_MESSAGE);
}

/** The unbounded message of {@link errorMessage}. */
function rawMessage(err: unknown): string {
  if (typeof err === "string") return err;
  if (err === null || typeof err !== "object") return String(err);
  const o = err as Record<string, unknown>;
  const message = typeof o.message === "string" && o.message !== ""
    ? o.message
    : undefined;
  const code = typeof o.code === "string" ? o.code : undefined;
  const path = typeof o.path === "string" ? o.path : undefined;
  if (o.name === "ErrnoError" && typeof o.errno === "number") {
    // Emscripten's file-system error (PGlite's storage): a bare errno.
    const known = EMSCRIPTEN_ERRNO[o.errno];
    if (known === "ENOSPC") return noSpace(undefined, path);
    return known
      ? `${known} (file system error ${o.errno})`
      : `file system error ${o.errno}`;
  }
  if (code === "ENOSPC" && !/no space left/i.test(message ?? "")) {
    return noSpace(message, path);
  }
  if (message !== undefined) {
    const extra = [code, path].filter((x): x is string =>
      x !== undefined && !message.includes(x)
    );
    return extra.length ? `${message} (${extra.join(" ")})` : message;
  }
  if (err instanceof Error) return err.name || "Error";
  try {
    const json = JSON.stringify(err);
    if (json !== undefined && json !== "{}") return json;
  } catch { /* circular: fall through */ }
  const text = String(err);
  return text === "[object Object]"
    ? `${err.constructor?.name ?? "object"} thrown without a message`
    : text;
}

/** Emscripten's errno numbers (PGlite's file system) of the likely faults. */
const EMSCRIPTEN_ERRNO: Readonly<Record<number, string>> = {
  2: "EACCES: permission denied",
  19: "EDQUOT: disk quota exceeded",
  29: "EIO: input/output error",
  44: "ENOENT: no such file or directory",
  51: "ENOSPC",
  63: "EPERM: operation not permitted",
};

/**
 * A full disk, said so first: `no space left on device: <the message>`,
 * with the path when the message lacks it.
 */
function noSpace(message: string | undefined, path: string | undefined) {
  const where = path !== undefined && !message?.includes(path)
    ? ` (${path})`
    : "";
  return `no space left on device${message ? `: ${message}` : ""}${where}`;
}
