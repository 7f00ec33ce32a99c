/**
 * A promise mutex: the scheduler's database work runs one piece at a time
 * (with PGlite a run holds it whole, since a query slipped in from
 * elsewhere would land inside the run's transaction). Private to the
 * folder.
 * @module
 */

/** Runs functions one at a time, in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier call has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}
