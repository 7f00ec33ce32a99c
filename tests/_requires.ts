/**
 * Tests that need more than Deno: Jupyter (with the Deno kernel, nbconvert
 * and Chromium), a Postgres server (`DATABASE_URL`), or root with Postgres'
 * server binaries. Where a need is missing and `CI` is not set, such tests
 * are registered with `ignore: true`, and the run prints ONE line, once
 * (the first test module that skips something prints it for all: modules
 * run in isolates of one process and share its environment), saying what is
 * skipped and the command that enables it. With `CI` set nothing is
 * skipped: the tests run and fail on what is missing.
 * @module
 */
import {
  detectJupyter,
  type ExecutionNeeds,
  type JupyterEnv,
  missingForExecution,
} from "@tools/nbdev/jupyter.ts";

/** Set (process-wide) once the skip line was printed in this run. */
const ANNOUNCED = "SLUICE_TEST_SKIPS_ANNOUNCED";

/** Postgres 15's server binaries (the crash tests start a throwaway cluster). */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** Whether `CI` is set: every test is required. */
export function inCi(env: (name: string) => string | undefined): boolean {
  const ci = env("CI");
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/** What this machine lacks, for {@link skipLine}. */
export interface MissingNeeds {
  /** What Jupyter lacks for the notebook, docs and report tests. */
  jupyter: string[];
  /** Whether no `DATABASE_URL` is set. */
  server: boolean;
  /** Whether the root-only crash tests cannot run (not root, no pg_ctl). */
  root: boolean;
  /** Whether MariaDB/MySQL (`MYSQL_URL`, default 127.0.0.1:3306) is down. */
  mariadb?: boolean;
}

/** The one line a test run prints about what it skipped; "" if nothing. */
export function skipLine(missing: MissingNeeds): string {
  const parts: string[] = [];
  if (missing.jupyter.length > 0) {
    parts.push(
      `the notebook, docs and report tests (tests/notebooks/, tests/tools/nbdev/: missing ${
        missing.jupyter.join(", ")
      }; enable: bash .ci/setup-jupyter.sh)`,
    );
  }
  if (missing.server) {
    parts.push(
      "the Postgres-server tests ([postgres] variants, locks, scheduler, crashes: DATABASE_URL unset; enable: DATABASE_URL=postgres://USER@HOST/DB deno task test)",
    );
  }
  if (missing.root) {
    parts.push(
      `the full-disk and server-stop crash tests (need root and ${PG_BIN}; enable: run as root, as CI does)`,
    );
  }
  if (missing.mariadb) {
    parts.push(
      "the MariaDB source tests (tests/datasets/platform/: nothing listens at MYSQL_URL or 127.0.0.1:3306; enable: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd)",
    );
  }
  if (parts.length === 0) return "";
  return `sluice tests: skipped ${
    parts.join("; ")
  }. With CI=true nothing is skipped.`;
}

async function isRootWithPgBin(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  return await Deno.stat(`${PG_BIN}/pg_ctl`).then(() => true, () => false);
}

/** Everything the full suite needs, as {@link ExecutionNeeds}. */
const ALL_JUPYTER: ExecutionNeeds = {
  docs: true,
  chromium: true,
  command: true,
};

/** The MariaDB/MySQL server the tests use. */
export const MYSQL_TEST_URL: string = Deno.env.get("MYSQL_URL") ??
  "mysql://root@127.0.0.1:3306/sluice_platform";

/** Whether something accepts connections at {@link MYSQL_TEST_URL}'s host. */
export async function mariadbListening(): Promise<boolean> {
  const url = new URL(MYSQL_TEST_URL);
  try {
    const conn = await Deno.connect({
      hostname: url.hostname,
      port: Number(url.port || 3306),
    });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Prints {@link skipLine} unless a module of this run already did. */
async function announce(jupyter?: JupyterEnv): Promise<void> {
  if (Deno.env.get(ANNOUNCED) === String(Deno.pid)) return;
  Deno.env.set(ANNOUNCED, String(Deno.pid));
  const line = skipLine({
    jupyter: missingForExecution(jupyter ?? await detectJupyter(), ALL_JUPYTER),
    server: !Deno.env.get("DATABASE_URL"),
    root: !await isRootWithPgBin(),
    mariadb: !await mariadbListening(),
  });
  if (line) console.warn(line);
}

/**
 * Whether tests needing Jupyter (and `needs`) are to be ignored: something
 * is missing and CI is not set. Announces the run's skips once.
 */
export async function skipWithoutJupyter(
  needs: ExecutionNeeds = {},
): Promise<boolean> {
  const env = await detectJupyter();
  const missing = missingForExecution(env, needs);
  if (missing.length === 0) return false;
  if (inCi((n) => Deno.env.get(n))) {
    console.error(
      `missing ${missing.join(", ")} with CI set: these tests will fail`,
    );
    return false;
  }
  await announce(env);
  return true;
}

/**
 * Whether tests needing a Postgres server are to be ignored: no
 * `DATABASE_URL` and CI not set. Announces the run's skips once.
 */
export async function skipWithoutServer(): Promise<boolean> {
  if (Deno.env.get("DATABASE_URL")) return false;
  if (inCi((n) => Deno.env.get(n))) return false;
  await announce();
  return true;
}

/**
 * Whether tests needing root (and with `pgBin`, Postgres' server binaries)
 * are to be ignored: missing, and CI not set. Announces the run's skips once.
 */
export async function skipWithoutRoot(
  options: { pgBin?: boolean } = {},
): Promise<boolean> {
  const { pgBin = false } = options;
  if (pgBin ? await isRootWithPgBin() : Deno.uid() === 0) return false;
  if (inCi((n) => Deno.env.get(n))) return false;
  await announce();
  return true;
}

/**
 * Whether tests needing MariaDB/MySQL are to be ignored: nothing listens at
 * `MYSQL_URL` (default 127.0.0.1:3306) and CI is not set. Announces the
 * run's skips once.
 */
export async function skipWithoutMariadb(): Promise<boolean> {
  if (await mariadbListening()) return false;
  if (inCi((n) => Deno.env.get(n))) return false;
  await announce();
  return true;
}
