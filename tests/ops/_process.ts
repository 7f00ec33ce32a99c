/**
 * `deno task etl` as a real child process for tests: a clean environment,
 * stderr read line by line as it comes (so a test can wait for a line,
 * then act: kill, signal, release a lock), stdout collected.
 * @module
 */

/** A running `pipeline/main.ts`. */
export interface EtlProcess extends AsyncDisposable {
  readonly pid: number;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Resolves with the first stderr line matching `re` (already seen or yet to come). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Exit status, stdout and stderr once it ended. */
  readonly done: Promise<
    { code: number; signal: string | null; stdout: string; stderr: string }
  >;
  kill(signal?: Deno.Signal): void;
}

/** Options of {@link spawnEtl}. */
export interface SpawnOptions {
  /** Extra environment (the rest is HOME, PATH, DENO_DIR, XDG_CACHE_HOME). */
  env?: Record<string, string>;
  /** Pass --unstable-cron (the `schedule` command needs it). Default false. */
  cron?: boolean;
}

const KEEP = ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"];

/** Starts `deno run --allow-all pipeline/main.ts ...args`. */
export function spawnEtl(
  args: string[],
  options: SpawnOptions = {},
): EtlProcess {
  const base = Object.fromEntries(
    KEEP.flatMap((k) => {
      const v = Deno.env.get(k);
      return v === undefined ? [] : [[k, v]];
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      ...(options.cron ? ["--unstable-cron"] : []),
      "pipeline/main.ts",
      ...args,
    ],
    env: { ...base, NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const stderr = (async () => {
    let buf = "";
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        for (const w of [...waiters]) {
          if (w.re.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    }
    if (buf) lines.push(buf);
  })();
  const stdout = (async () => {
    let text = "";
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) text += chunk;
    return text;
  })();
  const done = (async () => {
    const status = await child.status;
    await stderr;
    return {
      code: status.code,
      signal: status.signal,
      stdout: await stdout,
      stderr: lines.join("\n"),
    };
  })();
  const kill = (signal: Deno.Signal = "SIGTERM") => {
    try {
      child.kill(signal);
    } catch { /* already exited */ }
  };
  return {
    pid: child.pid,
    lines,
    done,
    kill,
    waitForLine(re, timeoutMs = 60_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no stderr line matching ${re} within ${timeoutMs} ms; got:\n${
                lines.slice(-30).join("\n")
              }`,
            ),
          );
        }, timeoutMs);
        const w = {
          re,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(w);
        done.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(w), 1);
            reject(
              new Error(
                `process ended without a line matching ${re}:\n${
                  lines.slice(-30).join("\n")
                }`,
              ),
            );
          }
        });
      });
    },
    async [Symbol.asyncDispose]() {
      kill("SIGKILL");
      await done;
    },
  };
}
