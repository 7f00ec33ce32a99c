/**
 * What a source factory may need from outside: the clock, and overrides of
 * the HTTP layer (tests hand in fetch, sleep, env).
 * @module
 */
import type { Clock } from "@pipeline/clock.ts";
import type { HttpSourceDeps } from "@pipeline/extract/http/source_deps.ts";

/** What a source may need from outside. */
export interface SourceDeps {
  clock: Clock;
  /** Overrides for the HTTP sources (tests hand in fetch, sleep, env). */
  http?: Partial<HttpSourceDeps>;
  /** Gets the file source's warnings (a header-only file). Default none. */
  warn?: (message: string) => void;
}
