/**
 * The typed errors of HTTP extraction: {@link ResponseProblem}, what a body
 * parser throws about one response, and {@link ExtractError}, what a
 * partition's `extract()` throws once it gives up.
 * @module
 */
import { EtlError } from "@pipeline/errors.ts";

/** Why a fetch or a response failed. */
export type ProblemKind =
  /** The connection failed or was reset. */
  | "network"
  /** No complete response within the per-request timeout. */
  | "timeout"
  /** A non-2xx HTTP status. */
  | "status"
  /** HTTP 200 carrying the provider's error or rate-limit message. */
  | "provider"
  /** HTTP 200 whose body is not the JSON it should be (truncated, HTML). */
  | "invalid-body"
  /** JSON whose shape does not match the provider's documented payload. */
  | "schema"
  /** The raw body could not be stored, or a stored one is damaged. */
  | "landing"
  /** The caller aborted. */
  | "aborted";

/** Options of {@link ResponseProblem}. */
export interface ResponseProblemOptions {
  /** What went wrong. */
  kind: ProblemKind;
  /** Whether running again unchanged may succeed; default false. */
  transient?: boolean;
  /** Whether to retry within this run; default the value of `transient`. */
  retry?: boolean;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A problem with one response, thrown by a body parser. Transient problems
 * (rate-limit notes, truncated bodies) are retried with backoff; terminal
 * ones (an invalid symbol, a renamed field) end the partition at once.
 */
export class ResponseProblem extends Error {
  readonly kind: ProblemKind;
  readonly transient: boolean;
  readonly retry: boolean;

  constructor(message: string, options: ResponseProblemOptions) {
    super(message, { cause: options.cause });
    this.name = "ResponseProblem";
    this.kind = options.kind;
    this.transient = options.transient ?? false;
    this.retry = options.retry ?? this.transient;
  }
}

/** What an {@link ExtractError} knows. */
export interface ExtractErrorOptions {
  /** The source (`alphavantage`, `finnhub`, `openmeteo`). */
  source: string;
  /** The partition: symbol or location and its time window. */
  partition: string;
  /** What went wrong. */
  kind: ProblemKind;
  /** The request URL, secrets already removed. */
  url?: string | undefined;
  /** The HTTP status of the last response, if one arrived. */
  status?: number | undefined;
  /** The first ~200 characters of the last body, secrets removed. */
  bodyExcerpt?: string | undefined;
  /** How many requests were sent. */
  attempts?: number | undefined;
  /** Whether running again unchanged may succeed. */
  transient: boolean;
  /** The underlying error, secrets removed. */
  cause?: unknown;
}

/**
 * A partition that could not be extracted: stage `extract`, naming the
 * source, partition, URL (secrets removed), status and a body excerpt.
 *
 * @example
 * ```ts
 * import { ExtractError } from "@pipeline/extract/http/extract_error.ts";
 * const err = new ExtractError("HTTP 503", {
 *   source: "finnhub", partition: "IBM 2026-11-02..2026-11-09",
 *   kind: "status", status: 503, transient: true,
 * });
 * err.stage; // "extract"
 * ```
 */
export class ExtractError extends EtlError {
  readonly source: string;
  readonly kind: ProblemKind;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly attempts: number;

  constructor(message: string, options: ExtractErrorOptions) {
    const details = [
      options.url ? `url ${options.url}` : "",
      options.status !== undefined ? `status ${options.status}` : "",
      options.attempts ? `after ${plural(options.attempts, "attempt")}` : "",
      options.bodyExcerpt ? `body ${JSON.stringify(options.bodyExcerpt)}` : "",
    ].filter(Boolean).join(", ");
    super(`${options.source}: ${message}${details ? ` (${details})` : ""}`, {
      stage: "extract",
      partition: options.partition,
      transient: options.transient,
      cause: options.cause,
    });
    this.name = "ExtractError";
    this.source = options.source;
    this.kind = options.kind;
    this.url = options.url;
    this.status = options.status;
    this.bodyExcerpt = options.bodyExcerpt;
    this.attempts = options.attempts ?? 0;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
