/**
 * Chromium for the browser tests: `CHROMIUM` or /usr/bin/chromium, with
 * the flags a headless run in a container needs. Missing, the tests are
 * skipped with one line; with `CI` set they are required.
 */
import { inCi } from "../_requires.ts";

/** The Chromium binary. */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM") ??
  "/usr/bin/chromium";

/** Arguments of a headless, offline Chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** Whether the browser tests are to be ignored (printing why, once). */
export async function skipWithoutChromium(): Promise<boolean> {
  const found = await Deno.stat(CHROMIUM_PATH).then(
    (s) => s.isFile,
    () => false,
  );
  if (found || inCi((n) => Deno.env.get(n))) return false;
  console.warn(
    `sluice tests: skipped the dashboard browser tests (tests/serve/browser_test.ts: no Chromium at ${CHROMIUM_PATH}; enable: apt-get install -y chromium, or set CHROMIUM). With CI=true nothing is skipped.`,
  );
  return true;
}
