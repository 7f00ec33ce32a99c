/**
 * Live updates: one watcher per server, shared by every open page. While at
 * least one page listens it checks the catalogue once a second (a `stat`:
 * the snapshot renames a new `analytics.duckdb` into place at the end of
 * every committed run), and with NATS it listens to the stream's
 * `sluice.events.loaded` notices (one per committed batch). Each change is
 * one server-sent event to every listener.
 * @module
 */
import { CATALOG_FILE } from "@pipeline/snapshot/catalog_file.ts";

/** One change pushed to the pages. */
export interface LiveEvent {
  /** `run` (a new catalogue) or `batch` (a stream notice). */
  kind: "run" | "batch";
  /** When the server saw it. */
  at: string;
  /** The stream notice, for `batch`. */
  detail?: unknown;
}

/** The watcher: pages subscribe, the watcher broadcasts. */
export interface LiveHub {
  /**
   * A `text/event-stream` body for one page; ends when the page goes (the
   * body is cancelled) or `signal` aborts.
   */
  stream(signal?: AbortSignal): ReadableStream<Uint8Array>;
  /** Sends `event` to every listener (the NATS listener calls it). */
  publish(event: LiveEvent): void;
  /** How many pages listen. */
  listeners(): number;
  /** Stops the timer and closes every stream. */
  close(): void;
}

/** Options of {@link createLiveHub}. */
export interface LiveHubOptions {
  dataDir: string;
  /** Milliseconds between checks of the catalogue. Default 1000. */
  intervalMs?: number;
}

const encoder = new TextEncoder();

/** What identifies one catalogue file: its inode and modification time. */
async function catalogStamp(dataDir: string): Promise<string> {
  try {
    const info = await Deno.stat(`${dataDir}/${CATALOG_FILE}`);
    return `${info.ino ?? ""}:${info.mtime?.getTime() ?? ""}:${info.size}`;
  } catch {
    return "missing";
  }
}

/** A hub watching `dataDir`'s catalogue. */
export function createLiveHub(options: LiveHubOptions): LiveHub {
  const { dataDir, intervalMs = 1000 } = options;
  const clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let stamp: string | undefined;
  let checking = false;

  const send = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    text: string,
  ) => {
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      clients.delete(controller);
    }
  };
  const publish = (event: LiveEvent) => {
    const text = `event: change\ndata: ${JSON.stringify(event)}\n\n`;
    for (const c of clients) send(c, text);
  };
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const now = await catalogStamp(dataDir);
      if (stamp !== undefined && now !== stamp && now !== "missing") {
        publish({ kind: "run", at: new Date().toISOString() });
      }
      stamp = now;
    } finally {
      checking = false;
    }
  };
  const start = () => {
    if (timer !== undefined) return;
    void check();
    timer = setInterval(() => void check(), intervalMs);
  };
  const stopIfIdle = () => {
    if (clients.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
      stamp = undefined;
    }
  };

  return {
    stream(signal) {
      let self: ReadableStreamDefaultController<Uint8Array>;
      const drop = () => {
        clients.delete(self);
        try {
          self.close();
        } catch { /* already closed */ }
        stopIfIdle();
      };
      return new ReadableStream<Uint8Array>({
        start(controller) {
          self = controller;
          clients.add(controller);
          send(controller, `retry: 2000\n: connected\n\n`);
          start();
          signal?.addEventListener("abort", drop, { once: true });
        },
        cancel() {
          drop();
        },
      });
    },
    publish,
    listeners: () => clients.size,
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      for (const c of clients) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      clients.clear();
    },
  };
}
