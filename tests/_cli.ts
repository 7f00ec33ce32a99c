/**
 * `deno task etl` run to its end as a user runs it, for tests: a real
 * process with a clean environment.
 * @module
 */
import { spawnEtl } from "./ops/_process.ts";

/** What an `etl` process left behind. */
export interface EtlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pipeline/main.ts ...args` in a fresh process whose environment is
 * only HOME, PATH, DENO_DIR, XDG_CACHE_HOME, `NO_COLOR=1` and `env` (no
 * DATABASE_URL unless `env` gives one: PGlite), and waits for its end.
 */
export async function runEtl(
  args: string[],
  env: Record<string, string> = {},
): Promise<EtlRun> {
  const { code, stdout, stderr } = await spawnEtl(args, { env }).done;
  return { code, stdout, stderr };
}
