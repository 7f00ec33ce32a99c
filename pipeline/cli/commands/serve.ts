/**
 * `deno task serve` (also `deno task etl serve`): the dashboard, read-only,
 * on 127.0.0.1 unless told otherwise (then with a sign-in token).
 * @module
 */
import type { Command } from "@pipeline/cli/command.ts";
import type { Flag } from "@pipeline/cli/flag.ts";
import { EXIT } from "@pipeline/cli/exit.ts";
import { withSignals } from "@pipeline/cli/signals.ts";
import { errorMessage } from "@pipeline/errors.ts";
import {
  checkServeOptions,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type ServeOptions,
  TOKEN_ENV,
} from "@pipeline/serve/options.ts";

/** `--port N`. */
const PORT_FLAG: Flag = {
  name: "port",
  value: "N",
  help: "the port to listen on (0: any free port)",
  key: "port",
  default: DEFAULT_PORT,
  parse(text) {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) {
      throw new Error(`expected a port 0-65535, got ${JSON.stringify(text)}`);
    }
    return port;
  },
};

/** `--host HOST`. */
const HOST_FLAG: Flag = {
  name: "host",
  value: "HOST",
  help:
    `the address to listen on; anything but the loopback requires ${TOKEN_ENV}`,
  key: "host",
  default: DEFAULT_HOST,
};

/** The `serve` command. */
export const serveCommand: Command = {
  name: "serve",
  summary:
    "the dashboard: prices, runs, quality and warehouse pages over the snapshot, live, read-only",
  usage: "deno task serve [--port 8080] [--host 127.0.0.1] [FLAGS]",
  description:
    `Serves the dashboard at http://HOST:PORT/: Prices (candles, volume,
20-bar average, VWAP, several symbols compared), Runs (timeline, one page
per run), Quality (checks over time, quarantine by reason, freshness) and
Warehouse (lake tables, watermarks, lake debt). Reads DATA_DIR/analytics.duckdb
read-only per request, so it never holds up a run; open pages update within
seconds of a committed run (and, with NATS_URL, of a stream batch).
Binds 127.0.0.1; another --host needs ${TOKEN_ENV}
(pages then ask for it once). Only GET and HEAD (and the sign-in form);
a strict content security policy.`,
  flags: [{ title: "Flags", flags: [PORT_FLAG, HOST_FLAG] }],
  exit: [
    [0, "stopped by SIGINT/SIGTERM"],
    [1, "the server failed"],
    [2, "bad usage: another host without a token, a bad port"],
  ],
  async run({ config, options, runtime }) {
    const serveOptions: ServeOptions = {
      dataDir: config.dataDir,
      host: options.host as string,
      port: options.port as number,
      token: runtime.env[TOKEN_ENV] || undefined,
      natsUrl: runtime.env.NATS_URL || undefined,
      databaseUrl: config.databaseUrl,
    };
    try {
      checkServeOptions(serveOptions);
    } catch (err) {
      console.error(`error: ${errorMessage(err)}`);
      return EXIT.usage;
    }
    try {
      return await withSignals(runtime.logger, async (signal) => {
        // Loaded here: a run of another command does not load the dashboard.
        const { startDashboard } = await import("@pipeline/serve/start.ts");
        const server = await startDashboard(serveOptions, {
          warn: (m) => runtime.logger.warn(m),
          onListen: (url) =>
            console.error(`sluice dashboard: ${url}/ (Ctrl-C stops it)`),
        });
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
          server.finished.then(() => resolve());
        });
        await server.close();
        return EXIT.ok;
      });
    } catch (err) {
      console.error(`error: serve: ${errorMessage(err)}`);
      return EXIT.failed;
    }
  },
};
