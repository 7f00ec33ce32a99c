/**
 * What a page is handed: the URL's parameters, the data folder, the clock
 * and the DOM charts draw on.
 * @module
 */
import type { Clock } from "@pipeline/clock.ts";

/** The context of one page request. */
export interface PageRequest {
  url: URL;
  dataDir: string;
  clock: Clock;
  /** A document for Plot (linkedom's). */
  document: Document;
  /** The warehouse as it may be shown (passwords redacted). */
  warehouse: string;
  /**
   * Sends the start of the page before the rest is drawn (the page's HTML
   * must begin with it): the browser paints it meanwhile. Call it once the
   * page can no longer fail with a status of its own (a 400 or 404).
   */
  early?: (start: string) => void;
}

/** A page's handler: its HTML, or a thrown `PageError`. */
export type PageHandler = (request: PageRequest) => Promise<string>;
