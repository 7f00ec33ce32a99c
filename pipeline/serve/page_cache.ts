/**
 * Rendered pages kept for their key (URL, catalogue file, minute): a small
 * least-recently-used map, so the pages open on one URL that refresh after
 * a live event, or a reader going back and forth, cost one render.
 * @module
 */

/** The pages kept at most. */
export const PAGE_CACHE_SIZE = 64;

/** A least-recently-used map of rendered pages. */
export class PageCache {
  #pages = new Map<string, string>();
  constructor(readonly size: number = PAGE_CACHE_SIZE) {}

  /** The page stored under `key`, now the most recently used. */
  get(key: string): string | undefined {
    const html = this.#pages.get(key);
    if (html !== undefined) {
      this.#pages.delete(key);
      this.#pages.set(key, html);
    }
    return html;
  }

  /** Stores `html`, dropping the least recently used page beyond the size. */
  set(key: string, html: string): void {
    this.#pages.delete(key);
    this.#pages.set(key, html);
    while (this.#pages.size > this.size) {
      this.#pages.delete(this.#pages.keys().next().value!);
    }
  }
}
