/**
 * The pure parser of one provider's response body, shared by live
 * extraction and replay from raw landing.
 * @module
 */
import type pl from "nodejs-polars";

/** What a parser sees: the body and what was asked for. */
export interface ParseInput {
  /** The response body, decoded as UTF-8. */
  body: string;
  /** The request parameters landed with the body (symbol, window, location). */
  params: unknown;
  /** The partition name, used in record names. */
  partition: string;
}

/**
 * How to turn one provider's body into a raw frame. `parse` is a pure
 * function of its input, so replaying a landed body gives the identical
 * frame. It throws a `ResponseProblem` for a body that is an error message,
 * not JSON, or not the documented shape; nothing partial is returned.
 */
export interface RawFormat {
  /** The source name, also the raw-landing folder. */
  readonly source: string;
  /** The name of the dataset of the frames (a registered dataset). */
  readonly dataset: string;
  /** The raw frame of one body. */
  parse(input: ParseInput): pl.DataFrame;
  /**
   * Whether a body landed with `params` is this format's to replay, for a
   * source whose several endpoints land in one folder (Alpha Vantage's
   * functions). Default: every body of the source.
   */
  accepts?(params: Readonly<Record<string, unknown>>): boolean;
}
