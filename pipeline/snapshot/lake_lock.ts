/**
 * One lake writer at a time: a session advisory lock taken around every
 * write into the lake (paying the debt, the retention's archive). Two
 * processes rewriting one partition would race on the directory swap, and
 * only the lock holder may remove staging leftovers, which are then known
 * to be dead. The lock ends with the session, so a killed writer never
 * leaves it behind. On PGlite (one process) it is always granted.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { advisoryLock } from "@pipeline/ops/lock.ts";

/** The advisory lock key of the lake. */
export const LAKE_LOCK_KEY = "sluice.lake";

/** Options of {@link withLakeLock}. */
export interface LakeLockOptions {
  /** Stops waiting for the lock (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Time between attempts while another writer holds it, ms. Default 200. */
  pollMs?: number;
}

/** Runs `fn` holding the lake lock, waiting for it when taken. */
export async function withLakeLock<T>(
  client: SqlClient,
  fn: () => Promise<T>,
  options: LakeLockOptions = {},
): Promise<T> {
  const { signal, pollMs = 200 } = options;
  const lock = await advisoryLock(client, LAKE_LOCK_KEY, {
    wait: true,
    pollMs,
    signal,
  });
  try {
    return await fn();
  } finally {
    await lock?.release().catch(() => {});
  }
}
