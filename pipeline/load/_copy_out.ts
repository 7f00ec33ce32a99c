/**
 * `COPY ... TO STDOUT` on a `pg` connection without pg-copy-streams.
 * Private to the load stage.
 *
 * pg-copy-streams' COPY TO takes over pg's socket (pauses it and reads on
 * 'readable' events); under Deno's Node compatibility those events are not
 * reliably delivered, and a COPY TO on a fresh connection hung about one
 * time in four (always, on a just-created database). pg itself already
 * parses the CopyData messages and hands them to the active query, so a
 * small submittable receives each chunk as it arrives, and settles at
 * ReadyForQuery, when the connection is free for the next statement.
 * @module
 */
import type { Buffer } from "node:buffer";

/** What a COPY OUT delivered. */
export interface CopyOutResult {
  /** Rows reported by the server's `COPY n`. */
  rows: number;
  /** Bytes delivered to `onChunk`. */
  bytes: number;
}

/**
 * A pg submittable running `sql` (a `COPY ... TO STDOUT`) and passing every
 * chunk of output to `onChunk`; `done` settles once the connection is ready
 * for the next statement.
 */
export class CopyOut {
  readonly text: string;
  readonly done: Promise<CopyOutResult>;
  #onChunk: (chunk: Buffer) => void;
  #rows = 0;
  #bytes = 0;
  #error: unknown;
  #settle!: {
    resolve: (r: CopyOutResult) => void;
    reject: (e: unknown) => void;
  };

  constructor(sql: string, onChunk: (chunk: Buffer) => void) {
    this.text = sql;
    this.#onChunk = onChunk;
    this.done = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  /** Called by pg when the query becomes active. */
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  /** One CopyData message. */
  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.#error) return;
    try {
      this.#onChunk(msg.chunk);
      this.#bytes += msg.chunk.length;
    } catch (err) {
      this.#error = err; // e.g. the disk is full; reported when it ends
    }
  }

  /** `COPY n`. */
  handleCommandComplete(msg: { text?: string }): void {
    this.#rows = Number(/COPY (\d+)/.exec(msg.text ?? "")?.[1] ?? 0);
  }

  /**
   * The server failed the statement (or the connection broke). pg drops the
   * active query on an error, so no ReadyForQuery follows here; pg itself
   * holds the next statement until the server is ready.
   */
  handleError(err: unknown): void {
    this.#settle.reject(this.#error ?? err);
  }

  /** The connection is free again: the COPY is over. */
  handleReadyForQuery(): void {
    if (this.#error) this.#settle.reject(this.#error);
    else this.#settle.resolve({ rows: this.#rows, bytes: this.#bytes });
  }

  // Messages a COPY OUT does not get; pg may still call them on misuse.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {
    this.#error ??= new Error("COPY OUT got a CopyInResponse: use copyFrom");
  }
}
