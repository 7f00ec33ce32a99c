/**
 * The scheduler's HTTP endpoint on a local port: `GET /metrics`
 * (Prometheus text format) and `GET /healthz` (liveness: 200 while the
 * scheduler runs, 503 once it is shutting down).
 * @module
 */

/** What `/healthz` reports. */
export interface Health {
  ok: boolean;
  /** Free text: `running`, `stopping`. */
  state: string;
}

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  /** Port; 0 picks a free one (see {@link MetricsServer.port}). */
  port: number;
  /** Interface to listen on. Default `127.0.0.1` (local only). */
  hostname?: string;
  /** The metrics text. */
  render: () => string;
  /** The liveness state. */
  health: () => Health;
}

/** A running metrics endpoint. */
export interface MetricsServer extends AsyncDisposable {
  /** The port it listens on. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/** The Content-Type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/** Answers one request of the metrics endpoint (exported for tests). */
export function metricsHandler(
  options: Pick<MetricsServerOptions, "render" | "health">,
): (req: Request) => Response {
  return (req) => {
    const { pathname } = new URL(req.url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    if (pathname === "/metrics") {
      return new Response(options.render(), {
        headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
      });
    }
    if (pathname === "/healthz") {
      const h = options.health();
      return Response.json(h, { status: h.ok ? 200 : 503 });
    }
    return new Response("not found: try /metrics or /healthz\n", {
      status: 404,
    });
  };
}

/** Starts the endpoint. */
export function serveMetrics(options: MetricsServerOptions): MetricsServer {
  const { port, hostname = "127.0.0.1" } = options;
  const server = Deno.serve(
    { port, hostname, onListen: () => {} },
    metricsHandler(options),
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.shutdown();
  };
  return {
    port: server.addr.port,
    url: `http://${hostname}:${server.addr.port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
