/**
 * Starting the dashboard: checks the settings, listens with `Deno.serve`,
 * subscribes to the stream's notices when NATS is configured, and stops on
 * `signal`.
 * @module
 */
import { createDashboard, type DashboardDeps } from "@pipeline/serve/server.ts";
import {
  checkServeOptions,
  type ServeOptions,
} from "@pipeline/serve/options.ts";
import { listenForLoads } from "@pipeline/serve/nats_events.ts";

/** A running dashboard. */
export interface RunningDashboard {
  /** Its address (`http://127.0.0.1:8080`). */
  url: string;
  port: number;
  /** Resolves when it stopped. */
  finished: Promise<void>;
  /** Stops it. */
  close(): Promise<void>;
}

/** Starts the dashboard of `options`. */
export async function startDashboard(
  options: ServeOptions,
  deps: DashboardDeps & { onListen?: (url: string) => void } = {},
): Promise<RunningDashboard> {
  checkServeOptions(options);
  const dashboard = createDashboard(options, deps);
  const warn = deps.warn ?? ((m: string) => console.error(m));
  const stopNats = options.natsUrl
    ? await listenForLoads({ url: options.natsUrl, hub: dashboard.hub, warn })
    : async () => {};
  const controller = new AbortController();
  let url = "";
  const server = Deno.serve({
    hostname: options.host,
    port: options.port,
    signal: controller.signal,
    onListen: (addr) => {
      const host = addr.hostname.includes(":")
        ? `[${addr.hostname}]`
        : addr.hostname;
      url = `http://${host}:${addr.port}`;
      deps.onListen?.(url);
    },
  }, dashboard.handler);
  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: url || `http://${options.host}:${port}`,
    port,
    finished: server.finished,
    async close() {
      dashboard.close();
      controller.abort();
      await server.finished;
      await stopNats();
    },
  };
}
