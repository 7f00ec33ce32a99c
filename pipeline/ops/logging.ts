/**
 * Structured logs: one JSON object per line (`--log-format json`) or a
 * readable line (`text`), each carrying the fields the logger was bound
 * with, so every line of a run names its `run_id`. Secrets are removed
 * from every line before it is written.
 * @module
 */
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { redactSecrets } from "@pipeline/ops/secrets.ts";

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** `json` (one object per line) or `text` (readable). */
export type LogFormat = "json" | "text";

/** The log formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/** Extra fields of a line; undefined values are left out. */
export type LogFields = Record<string, unknown>;

/** Writes log lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line (a run's `run_id`). */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Line format. Default `text`. */
  format?: LogFormat;
  /** Receives each finished line, without a newline. Default: stderr. */
  write?: (line: string) => void;
  /** Stamps each line. Default {@link systemClock}. */
  clock?: Clock;
  /** Secret values to remove from every line. Default none. */
  secrets?: readonly string[];
  /** Fields of every line. Default none. */
  fields?: LogFields;
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
}

const LEVELS: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

/** What one log line holds. */
export interface LogRecord {
  at: Date;
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/**
 * One line of `record` in `format`. JSON: `{"ts","level","msg",...fields}`.
 * Text: `2026-11-22T05:05:00.000Z INFO  [run 1b2c3d4e] msg key=value`, the
 * run id shortened to 8 characters.
 */
export function formatLogLine(record: LogRecord, format: LogFormat): string {
  const fields = Object.fromEntries(
    Object.entries(record.fields).filter(([, v]) => v !== undefined),
  );
  if (format === "json") {
    return JSON.stringify({
      ts: record.at.toISOString(),
      level: record.level,
      msg: record.msg,
      ...fields,
    }, (_k, v) => typeof v === "bigint" ? Number(v) : v);
  }
  const { run_id: runId, ...rest } = fields;
  const run = typeof runId === "string" ? ` [run ${runId.slice(0, 8)}]` : "";
  const kv = Object.entries(rest).map(([k, v]) =>
    ` ${k}=${
      typeof v === "string" && !/[\s"=]/.test(v) && v !== ""
        ? v
        : JSON.stringify(v instanceof Date ? v.toISOString() : v)
    }`
  ).join("");
  return `${record.at.toISOString()} ${
    record.level.toUpperCase().padEnd(5)
  }${run} ${record.msg}${kv}`;
}

/** Writes to stderr synchronously, so lines survive an abrupt exit. */
export function stderrWrite(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
}

/**
 * A {@link Logger}.
 *
 * @example A run's logger
 * ```ts
 * import { createLogger } from "@pipeline/ops/logging.ts";
 * const lines: string[] = [];
 * const log = createLogger({ format: "json", write: (l) => lines.push(l) });
 * log.child({ run_id: "1b2c3d4e-..." }).info("extract: 390 rows");
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const {
    format = "text",
    write = stderrWrite,
    clock = systemClock,
    secrets = [],
    fields = {},
    level = "info",
  } = options;
  const emit = (lvl: LogLevel, msg: string, extra: LogFields = {}) => {
    if (LEVELS[lvl] < LEVELS[level]) return;
    const line = formatLogLine(
      { at: clock.now(), level: lvl, msg, fields: { ...fields, ...extra } },
      format,
    );
    write(redactSecrets(line, secrets));
  };
  return {
    debug: (msg, f) => emit("debug", msg, f),
    info: (msg, f) => emit("info", msg, f),
    warn: (msg, f) => emit("warn", msg, f),
    error: (msg, f) => emit("error", msg, f),
    child: (more) =>
      createLogger({ ...options, fields: { ...fields, ...more } }),
  };
}

/** A logger that drops everything (library defaults, tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/**
 * Parses a line written by a JSON logger back into a record, or returns
 * null for any other line (a child process's panic, plain text).
 */
export function parseLogLine(line: string): LogRecord | null {
  if (!line.startsWith("{")) return null;
  try {
    const obj = JSON.parse(line) as Record<string, unknown>;
    const { ts, level, msg, ...fields } = obj;
    if (
      typeof ts !== "string" || typeof msg !== "string" ||
      typeof level !== "string" || !(level in LEVELS)
    ) return null;
    return { at: new Date(ts), level: level as LogLevel, msg, fields };
  } catch {
    return null;
  }
}
