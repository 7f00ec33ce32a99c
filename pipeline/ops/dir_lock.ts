/**
 * One process per PGlite directory. PGlite is Postgres compiled to
 * WebAssembly inside one process: a second process opening the same data
 * directory would corrupt it, and advisory locks cannot see it. A lock file
 * next to the directory (`<dir>.lock`, holding the owner's pid) turns that
 * into a clear error. A lock file whose process is gone (killed) is stale
 * and taken over.
 * @module
 */
import { dirname } from "node:path";
import { LockedError } from "@pipeline/ops/lock.ts";

/** What a lock file records about its owner. */
export interface DirLockOwner {
  pid: number;
  host: string;
  started_at: string;
}

/** A held directory lock. */
export interface DirLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file if this process still owns it. */
  release(): void;
}

/** Options of {@link lockDirectory}. */
export interface DirLockOptions {
  /** This process's id. Default `Deno.pid`. */
  pid?: number;
  /** Whether a process id is alive. Default {@link processAlive}. */
  alive?: (pid: number) => boolean;
  /** Now, for `started_at`. Default the machine's clock. */
  now?: () => Date;
}

/**
 * Whether process `pid` runs, from `/proc` (Linux). A pid reused by a
 * process that is not Deno counts as gone. Without `/proc`, every pid
 * counts as alive (the lock file must then be removed by hand).
 */
export function processAlive(pid: number): boolean {
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true;
  }
  try {
    const cmd = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return cmd.includes("deno");
  } catch {
    return false;
  }
}

/**
 * Takes the lock of directory `dir` (file `<dir>.lock`). Throws a
 * {@link LockedError} naming the owner when a live process holds it.
 */
export function lockDirectory(
  dir: string,
  options: DirLockOptions = {},
): DirLock {
  const {
    pid = Deno.pid,
    alive = processAlive,
    now = () => new Date(),
  } = options;
  const path = `${dir.replace(/\/+$/, "")}.lock`;
  const owner: DirLockOwner = {
    pid,
    host: Deno.hostname(),
    started_at: now().toISOString(),
  };
  Deno.mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      Deno.writeTextFileSync(path, JSON.stringify(owner), { createNew: true });
      return {
        path,
        release() {
          try {
            const current = readOwner(path);
            if (current?.pid === pid) Deno.removeSync(path);
          } catch { /* already gone */ }
        },
      };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    const current = readOwner(path);
    if (current && current.pid !== pid && alive(current.pid)) {
      throw new LockedError(
        `the PGlite database ${dir} is in use by process ${current.pid}` +
          ` (since ${current.started_at}); PGlite allows one process at a ` +
          `time: stop it, or use a Postgres server (DATABASE_URL) for ` +
          `concurrent runs. If no such process exists, remove ${path}`,
      );
    }
    try {
      Deno.removeSync(path);
    } catch { /* removed meanwhile */ }
  }
  throw new LockedError(`cannot take the lock file ${path}`);
}

function readOwner(path: string): DirLockOwner | null {
  try {
    const parsed = JSON.parse(Deno.readTextFileSync(path));
    return typeof parsed?.pid === "number" ? parsed as DirLockOwner : null;
  } catch {
    return null;
  }
}
