/**
 * How hard to try one request: attempts, backoff and the per-request timeout.
 * @module
 */
import { z } from "zod";

/** Retry and timeout settings for one source's requests. */
export const RetryPolicySchema = z.object({
  /** Requests sent at most for one partition, first included. */
  maxAttempts: z.number().int().min(1).max(20),
  /** Backoff ceiling after the first failure, doubled per failure, in ms. */
  baseDelayMs: z.number().int().min(0),
  /** No single wait is longer, in ms; a longer `Retry-After` gives up. */
  maxDelayMs: z.number().int().min(0),
  /** Per-request timeout, body included, in ms. */
  timeoutMs: z.number().int().min(1),
});
/** Retry and timeout settings. */
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** Defaults: 4 attempts, 1 s base, 30 s cap, 30 s timeout. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
};
