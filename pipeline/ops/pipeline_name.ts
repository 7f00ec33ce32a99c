/**
 * A pipeline's name: the unit of locking, scheduling and run history.
 * Defaults to the source's name (`synthetic`, `alphavantage`, ...).
 * @module
 */
import { z } from "zod";

/** Lower-case letters, digits, `-` and `_`, 1–40 characters. */
export const PipelineNameSchema = z.string().regex(
  /^[a-z0-9][a-z0-9_-]{0,39}$/,
  {
    message: "expected 1-40 lower-case letters, digits, - or _",
  },
);
