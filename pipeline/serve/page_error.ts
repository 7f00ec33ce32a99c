/**
 * A page that cannot be drawn: its HTTP status and a message for the
 * reader (never a stack trace).
 * @module
 */

/** Thrown by a page: 400 bad parameter, 404 unknown, 503 no data yet. */
export class PageError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "PageError";
  }
}
