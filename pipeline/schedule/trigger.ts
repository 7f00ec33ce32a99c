/**
 * What fires a job: `Deno.cron` (the real scheduler, minute-granular,
 * UTC) or a timer every N ms (test-only, `SLUICE_SCHEDULE_TICK_MS`). Both
 * hand the job the scheduled time its firing belongs to, so the same
 * occurrence logic (idempotency key, overlap, retries) runs behind them.
 * @module
 */
import type { Cadence } from "@pipeline/schedule/cadence.ts";
import type { Clock } from "@pipeline/clock.ts";

/** Registers jobs. */
export interface Trigger {
  /** `deno-cron` or `interval`. */
  readonly kind: string;
  /**
   * Calls `fire(scheduledFor)` at each occurrence of `cadence` until
   * `signal` aborts.
   */
  register(
    name: string,
    cadence: Cadence,
    fire: (scheduledFor: Date) => void,
    signal: AbortSignal,
  ): void;
}

/**
 * The real trigger: `Deno.cron` (needs `--unstable-cron`, which the `etl`
 * task passes). Each firing is mapped to its occurrence with
 * `cadence.latest(now)`.
 */
export function denoCronTrigger(clock: Clock): Trigger {
  return {
    kind: "deno-cron",
    register(name, cadence, fire, signal) {
      if (typeof Deno.cron !== "function") {
        throw new Error(
          "Deno.cron is not available: run with --unstable-cron " +
            "(deno task etl schedule does)",
        );
      }
      if (!cadence.cron) {
        throw new Error(`${name}: Deno.cron needs a cron expression`);
      }
      Deno.cron(name, cadence.cron, { signal }, () => {
        const at = cadence.latest(clock.now());
        if (at) fire(at);
      }).catch(() => {});
    },
  };
}

/**
 * A timer firing at each occurrence of `cadence` (test-only: fast ticks
 * through the same occurrence logic; production uses {@link denoCronTrigger}).
 */
export function intervalTrigger(clock: Clock): Trigger {
  return {
    kind: "interval",
    register(_name, cadence, fire, signal) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        if (signal.aborted) return;
        const next = cadence.next(clock.now());
        if (!next) return;
        timer = setTimeout(() => {
          fire(next);
          arm();
        }, Math.max(0, next.getTime() - clock.now().getTime()));
      };
      signal.addEventListener("abort", () => clearTimeout(timer), {
        once: true,
      });
      arm();
    },
  };
}
