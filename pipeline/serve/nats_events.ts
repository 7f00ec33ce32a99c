/**
 * The stream's load notices as live events: with `NATS_URL` set, the
 * server subscribes to `<prefix>.events.loaded` (core NATS) and passes each
 * committed batch on to the pages. Unreachable NATS is logged, not fatal:
 * the catalogue watch still works.
 * @module
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { LiveHub } from "@pipeline/serve/live.ts";

/** The subject the stream consumer publishes its notices on. */
export const LOADED_SUBJECT = "sluice.events.loaded";

/** Options of {@link listenForLoads}. */
export interface ListenOptions {
  url: string;
  hub: LiveHub;
  /** Where a failure is reported. */
  warn: (message: string) => void;
  subject?: string;
}

/** Subscribes; returns a function that closes the connection. */
export async function listenForLoads(
  options: ListenOptions,
): Promise<() => Promise<void>> {
  const { url, hub, warn, subject = LOADED_SUBJECT } = options;
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, name: "sluice-dashboard" });
  } catch (err) {
    warn(
      `serve: cannot reach NATS at ${url} (${
        err instanceof Error ? err.message : String(err)
      }); live updates come from the run records only`,
    );
    return async () => {};
  }
  const sub = nc.subscribe(subject);
  await nc.flush();
  (async () => {
    for await (const msg of sub) {
      let detail: unknown;
      try {
        detail = msg.json();
      } catch {
        detail = undefined;
      }
      hub.publish({ kind: "batch", at: new Date().toISOString(), detail });
    }
  })().catch(() => {});
  return async () => {
    await nc.drain().catch(() => {});
  };
}
