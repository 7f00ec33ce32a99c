/**
 * Headless Chromium, used to load rendered pages the way a reader's browser
 * does and hand back the resulting DOM. Nothing is fetched from the
 * network: every host name fails to resolve.
 * @module
 */
import { detectJupyter } from "@tools/nbdev/jupyter.ts";

/** Options of {@link dumpDom}. */
export interface DumpDomOptions {
  /** The Chromium binary. Default: the one {@link detectJupyter} finds. */
  chromium?: string;
  /** Milliseconds before Chromium is killed. Default: 60 000. */
  timeoutMs?: number;
}

/**
 * The DOM of the page at `url` (a `file://` URL) after Chromium loaded it
 * and ran its scripts, serialized as HTML.
 * @throws {Error} when no Chromium is found, or it fails or times out.
 */
export async function dumpDom(
  url: string,
  options: DumpDomOptions = {},
): Promise<string> {
  const { timeoutMs = 60_000 } = options;
  const chromium = options.chromium ?? (await detectJupyter()).chromium;
  if (!chromium) {
    throw new Error(
      "no Chromium found: install it (Debian: `apt-get install -y chromium`) or set CHROMIUM",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "sluice-chromium-" });
  try {
    const out = await new Deno.Command(chromium, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        url,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const dom = new TextDecoder().decode(out.stdout);
    if (!out.success || dom.trim() === "") {
      const stderr = new TextDecoder().decode(out.stderr);
      throw new Error(
        `chromium --dump-dom ${url} failed (exit ${out.code}): ${
          stderr.split("\n").slice(-5).join("\n")
        }`,
      );
    }
    return dom;
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
