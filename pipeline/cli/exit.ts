/**
 * The exit statuses of `deno task etl`.
 * @module
 */

/**
 * Exit codes of the CLI: 0 ok; 1 the run failed; 2 bad usage or
 * configuration; 3 locked (another run of the pipeline is in progress,
 * another scheduler of it runs, or another process has the PGlite directory);
 * 4 interrupted (SIGINT/SIGTERM stopped the run at a safe point).
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  interrupted: 4,
} as const;
