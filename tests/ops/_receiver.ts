/**
 * A local alert receiver: an HTTP server on 127.0.0.1 that keeps each
 * POSTed JSON body, answering with the given statuses in turn (the last
 * repeating), and lets a test wait for the n-th alert.
 * @module
 */

/** A running receiver. */
export interface AlertReceiver extends AsyncDisposable {
  readonly url: string;
  /** Bodies received, parsed. */
  readonly alerts: Record<string, unknown>[];
  /** Raw bodies, to look for leaked secrets. */
  readonly raw: string[];
  /** Resolves once `n` alerts arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Starts a receiver answering `statuses[i]` to the i-th POST. */
export function alertReceiver(statuses: number[] = [200]): AlertReceiver {
  const alerts: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const text = await req.text();
      const status = statuses[Math.min(raw.length, statuses.length - 1)] ??
        200;
      raw.push(text);
      if (status < 300) {
        alerts.push(JSON.parse(text));
        for (const w of waiters.filter((w) => alerts.length >= w.n)) {
          w.resolve();
        }
      }
      return new Response(status < 300 ? "ok" : "nope", { status });
    },
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/T000/B000/s3cr3tW3bh00k`,
    alerts,
    raw,
    waitFor(n, timeoutMs = 60_000) {
      if (alerts.length >= n) return Promise.resolve(alerts);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no alert #${n} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(alerts);
          },
        });
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
