/**
 * No overlapping runs: a session-level Postgres advisory lock per pipeline,
 * taken on the run's own connection and held for the whole run. A second
 * run of the same pipeline finds it taken and stops at once (or waits).
 * The lock ends with the session, so a killed run never leaves it behind.
 *
 * On PGlite (one process, one session) the lock is always granted; two
 * processes are kept off one PGlite directory by `@pipeline/ops/dir_lock.ts`.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";

/** Something else holds the lock a command needs (exit status 3). */
export class LockedError extends Error {
  override name = "LockedError";
}

/** The lock key of a pipeline's runs. */
export function runLockKey(pipeline: string): string {
  return `sluice.run.${pipeline}`;
}

/** The lock key of a pipeline's scheduler (one scheduler per pipeline). */
export function schedulerLockKey(pipeline: string): string {
  return `sluice.scheduler.${pipeline}`;
}

/** A held advisory lock. */
export interface HeldLock {
  readonly key: string;
  /** Releases the lock (safe to call twice). */
  release(): Promise<void>;
}

/**
 * Takes the session advisory lock `key` if it is free; returns null when
 * another session holds it. Keys are hashed with `hashtext`.
 */
export async function tryAdvisoryLock(
  client: SqlClient,
  key: string,
): Promise<HeldLock | null> {
  const { rows } = await client.query<{ ok: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext($1)) AS ok",
    [key],
  );
  if (!rows[0]?.ok) return null;
  let held = true;
  return {
    key,
    async release() {
      if (!held) return;
      held = false;
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [key]);
    },
  };
}

/** Options of {@link advisoryLock}. */
export interface AdvisoryLockOptions {
  /** Wait until the lock is free instead of returning null. Default false. */
  wait?: boolean;
  /** Time between attempts while waiting, in ms. Default 1000. */
  pollMs?: number;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Called once, when the first attempt finds the lock taken and we wait. */
  onWait?: () => void | Promise<void>;
  /** Waits between attempts. Default a real timer. */
  sleep?: Sleep;
}

/**
 * Takes the advisory lock `key`: at once, or with `wait` as soon as it is
 * free (polling, so a waiting process stays interruptible). Returns null
 * when it is taken and `wait` is false.
 */
export async function advisoryLock(
  client: SqlClient,
  key: string,
  options: AdvisoryLockOptions = {},
): Promise<HeldLock | null> {
  const { wait = false, pollMs = 1000, signal, onWait, sleep = realSleep } =
    options;
  let told = false;
  while (true) {
    const lock = await tryAdvisoryLock(client, key);
    if (lock || !wait) return lock;
    if (!told) {
      told = true;
      await onWait?.();
    }
    await sleep(pollMs, signal);
  }
}

/** The run that holds a pipeline's lock, as far as the run history knows. */
export interface LockHolder {
  run_id: string;
  pid: number | null;
  host: string | null;
  started_at: Date;
  trigger: string;
}

/**
 * The newest `running` run of `pipeline` (the likely holder of its lock),
 * or null when there is none or the history table does not exist yet.
 */
export async function lockHolder(
  client: SqlClient,
  pipeline: string,
): Promise<LockHolder | null> {
  try {
    const { rows } = await client.query<LockHolder>(
      `SELECT run_id::text AS run_id, pid, host, started_at, trigger
       FROM etl_runs WHERE pipeline = $1 AND status = 'running'
       ORDER BY started_at DESC LIMIT 1`,
      [pipeline],
    );
    return rows[0] ?? null;
  } catch {
    return null;
  }
}

/** The message of a run refused because `pipeline` is locked. */
export function lockedMessage(
  pipeline: string,
  holder: LockHolder | null,
): string {
  const who = holder
    ? ` (run ${holder.run_id}, ${holder.trigger}, started ${holder.started_at.toISOString()}${
      holder.pid ? ` by pid ${holder.pid}` : ""
    }${holder.host ? ` on ${holder.host}` : ""})`
    : "";
  return `another run of pipeline "${pipeline}" is in progress${who}; ` +
    `not starting a second one (pass --wait to wait for it)`;
}
