/**
 * The run configuration, validated once at the edge (CLI, scheduler) and
 * passed down. Nothing below reads flags or the environment.
 * @module
 */
import { z } from "zod";
import { SymbolSchema } from "@pipeline/bars.ts";
import { DEFAULT_SYMBOLS } from "@pipeline/extract/synthetic.ts";

/** The source names `--source` accepts. */
export const SOURCE_NAMES = ["synthetic", "file"] as const;

/** A validated run configuration. */
export const RunConfigSchema = z.object({
  /** Where bars come from. */
  source: z.enum(SOURCE_NAMES).default("synthetic"),
  /** The input file of the `file` source (CSV, JSON or Parquet). */
  input: z.string().min(1).optional(),
  /** Symbols of the synthetic source. */
  symbols: z.array(SymbolSchema).min(1).default([...DEFAULT_SYMBOLS]),
  /** Trading sessions of the synthetic source, ending at `asOf`. */
  sessions: z.number().int().min(1).max(260).default(5),
  /** Seed of the synthetic source. */
  seed: z.number().int().default(42),
  /** Share of defective records the synthetic source emits. */
  defectRate: z.number().min(0).max(1).default(0.005),
  /** Where PGlite, the lake and analytics.duckdb live. */
  dataDir: z.string().min(1).default("./data"),
  /** A Postgres server; when absent, embedded PGlite under dataDir. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, {
    message: "must be a postgres:// or postgresql:// URL",
  }).optional(),
  /** "Now" for the run (the clock); defaults to the machine's clock. */
  asOf: z.coerce.date().optional(),
  /** Export the loaded dates to Parquet and DuckDB after the load. */
  snapshot: z.boolean().default(true),
}).superRefine((c, ctx) => {
  if (c.source === "file" && !c.input) {
    ctx.addIssue({
      code: "custom",
      path: ["input"],
      message: "--source file needs --input PATH",
    });
  }
});

/** A validated run configuration. */
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Validates `input`; throws a readable message naming each bad setting. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = RunConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    `${i.path.join(".") || "config"}: ${i.message}`
  );
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}

/** A configuration the run cannot start with (never worth retrying). */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Hides the password of a database URL, for logs and summaries. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
