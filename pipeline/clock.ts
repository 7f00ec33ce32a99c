/**
 * The clock is passed in, never read from a global, so tests can fix "now".
 * @module
 */

/** A source of the current time. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at `instant`. */
export function fixedClock(instant: Date | string): Clock {
  const at = new Date(instant);
  return { now: () => new Date(at) };
}
