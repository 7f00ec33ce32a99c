/**
 * The schedule's configuration, validated once at the edge (the
 * `schedule` command) like the run configuration it runs with.
 * @module
 */
import { z } from "zod";
import { parseCron } from "@pipeline/schedule/cron.ts";
import { MISSED_POLICIES } from "@pipeline/schedule/occurrences.ts";
import { ConfigError } from "@pipeline/config.ts";

const CronSchema = z.string().superRefine((text, ctx) => {
  try {
    parseCron(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
  }
});

const HOUR = 3_600_000;

/** A validated schedule configuration. */
export const ScheduleConfigSchema = z.object({
  /** When the ETL runs (UTC cron). Default hourly at minute 5. */
  etlCron: CronSchema.default("5 * * * *"),
  /**
   * When retention runs (UTC cron). Default daily at 03:30. It applies each
   * table's `etl_partitioning.retention`; a no-op while none is set.
   */
  retentionCron: CronSchema.default("30 3 * * *"),
  /** What to do with occurrences missed while the scheduler was down. */
  missed: z.enum(MISSED_POLICIES as ["skip", "once", "all"]).default("once"),
  /** The most missed occurrences run (`all`) or recorded as skipped. */
  missedCap: z.number().int().min(1).max(1000).default(24),
  /** Retries of a failed scheduled run (0: none). */
  retries: z.number().int().min(0).max(20).default(3),
  /** Delay ceiling after the first failure, ms (doubles per retry). */
  retryBaseMs: z.number().int().min(0).default(60_000),
  /** No retry delay exceeds this, ms. */
  retryMaxMs: z.number().int().min(0).default(15 * 60_000),
  /**
   * Alert when the newest loaded data of the source is older than this,
   * ms; 0 turns the check off. Default 96 h: a stock market weekend plus a
   * holiday stays quiet, data a working day late alerts.
   */
  staleAfterMs: z.number().int().min(0).default(96 * HOUR),
  /** Port of `/metrics` and `/healthz` on 127.0.0.1 (0: any free port). */
  metricsPort: z.number().int().min(0).max(65_535).default(9464),
  /**
   * How each occurrence runs: `process` (a child `deno` process per run,
   * the default with a Postgres server) or `inline` (in the scheduler's
   * process; forced with PGlite, which one process owns).
   */
  executor: z.enum(["process", "inline"]).optional(),
  /**
   * Test-only: fire every job every this many ms through a timer instead
   * of `Deno.cron` (env `SLUICE_SCHEDULE_TICK_MS`).
   */
  tickMs: z.number().int().min(100).optional(),
}).superRefine((c, ctx) => {
  if (c.retryMaxMs < c.retryBaseMs) {
    ctx.addIssue({
      code: "custom",
      path: ["retryMaxMs"],
      message: "--retry-max must not be below --retry-base",
    });
  }
});

/** A validated schedule configuration. */
export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

/** Validates `input`; throws a {@link ConfigError} naming each bad setting. */
export function parseScheduleConfig(input: unknown): ScheduleConfig {
  const parsed = ScheduleConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    `${i.path.join(".") || "schedule"}: ${i.message}`
  );
  throw new ConfigError(`invalid schedule: ${problems.join("; ")}`);
}
