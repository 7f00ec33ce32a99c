/**
 * How the scheduler runs one attempt of an occurrence:
 *
 * - {@link processExecutor}: a child `deno` process running
 *   `pipeline/main.ts run` with the scheduler's run flags. A crash, an OOM
 *   or a `kill -9` of the child is a failed attempt the scheduler retries;
 *   the child's load transaction dies with its connection. Graceful stop
 *   sends the child SIGTERM (it stops at a safe point). The default with a
 *   Postgres server.
 * - {@link inlineExecutor}: the run in the scheduler's own process, on its
 *   connection. Needed with PGlite (one process owns the database).
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import type { RunConfig } from "@pipeline/config.ts";
import type { Source } from "@pipeline/extract/source.ts";
import { errorMessage, EtlError } from "@pipeline/errors.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import { executeRun } from "@pipeline/ops/execute.ts";
import { recordRunCrash } from "@pipeline/ops/history.ts";
import {
  type LogFields,
  type Logger,
  parseLogLine,
} from "@pipeline/ops/logging.ts";
import type { Alerter } from "@pipeline/ops/alerts.ts";

/** One attempt to run. */
export interface RunRequest {
  pipeline: string;
  runId: string;
  attempt: number;
  scheduledFor: Date;
  /** Aborts on graceful shutdown: the run stops at a safe point. */
  signal: AbortSignal;
}

/** How an attempt ended. */
export interface RunOutcome {
  /**
   * `failed` is retried; `usage` (bad configuration), `locked` (another
   * run of the pipeline is active) and `interrupted` (shutdown) are not.
   */
  status: "succeeded" | "failed" | "usage" | "locked" | "interrupted";
  runId: string;
  summary: RunSummary | null;
  /** Why it did not succeed. */
  error: string | null;
  errorStage: string | null;
  errorPartition: string | null;
}

/** Runs attempts. */
export interface Executor {
  readonly kind: "process" | "inline";
  run(request: RunRequest): Promise<RunOutcome>;
}

/** The exit status of `main.ts run` for each outcome (see EXIT in pipeline/cli/exit.ts). */
export const RUN_EXIT_CODES = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  interrupted: 4,
} as const;

/** Options of {@link inlineExecutor}. */
export interface InlineExecutorOptions {
  config: RunConfig;
  client: SqlClient;
  /** "Now" for the data (`--as-of`). */
  clock: Clock;
  /** The real time, for the run history. Default `clock`. */
  wallClock?: Clock;
  logger: Logger;
  /** Builds the source of each attempt. */
  source: () => Promise<Source>;
  alerter?: Alerter | undefined;
  /** Configured secrets, redacted from extracted records. */
  secrets?: readonly string[] | undefined;
}

/** Runs each attempt in this process through `executeRun()`. */
export function inlineExecutor(options: InlineExecutorOptions): Executor {
  const { config, client, clock, logger } = options;
  return {
    kind: "inline",
    async run(req) {
      const log = logger.child({ run_id: req.runId, attempt: req.attempt });
      const outcome = (
        status: RunOutcome["status"],
        summary: RunSummary | null,
        error: string | null,
      ): RunOutcome => ({
        status,
        runId: req.runId,
        summary,
        error: status === "succeeded" ? null : summary?.error ?? error,
        errorStage: summary?.error_stage ?? null,
        errorPartition: summary?.error_partition ?? null,
      });
      try {
        const result = await executeRun({
          pipeline: req.pipeline,
          runId: req.runId,
          dataDir: config.dataDir,
          snapshot: config.snapshot,
          incremental: config.incremental && { lagMs: config.lagMs },
          trigger: "schedule",
          attempt: req.attempt,
          scheduledFor: req.scheduledFor,
        }, {
          client,
          clock,
          wallClock: options.wallClock ?? clock,
          logger: log,
          source: options.source,
          signal: req.signal,
          alerter: options.alerter,
          secrets: options.secrets,
        });
        if (result.status === "locked") {
          return outcome("locked", null, result.message);
        }
        return outcome(
          result.status,
          result.summary,
          `run ${result.status}`,
        );
      } catch (err) {
        const usage = err instanceof EtlError && err.stage === "config";
        return outcome(usage ? "usage" : "failed", null, errorMessage(err));
      }
    },
  };
}

/** Options of {@link processExecutor}. */
export interface ProcessExecutorOptions {
  /** The run flags of the child (`--source synthetic --symbols AAPL ...`). */
  runArgs: readonly string[];
  /** The child's environment (secrets travel here, never in argv). */
  env: Record<string, string>;
  /** The source name, for crash records. */
  source: string;
  /** Records crashes (the scheduler's connection). */
  client: SqlClient;
  clock: Clock;
  /** Child log lines are re-emitted here. */
  logger: Logger;
  /** The `main.ts` to run. Default this project's. */
  mainModule?: string;
  /** Told the child's pid once it started. */
  onSpawn?: (info: { pid: number; runId: string; attempt: number }) => void;
}

/** `main.ts` of this project and its `deno.json`, when there is one. */
export function projectEntry(): { main: string; config: string | null } {
  const main = fileURLToPath(import.meta.resolve("@pipeline/main.ts"));
  const config = join(dirname(dirname(main)), "deno.json");
  try {
    Deno.statSync(config);
    return { main, config };
  } catch {
    return { main, config: null };
  }
}

/** Runs each attempt as `deno run ... main.ts run` in a child process. */
export function processExecutor(options: ProcessExecutorOptions): Executor {
  const { runArgs, env, client, clock, logger } = options;
  const entry = options.mainModule
    ? { main: options.mainModule, config: null }
    : projectEntry();
  return {
    kind: "process",
    async run(req) {
      const log = logger.child({
        run_id: req.runId,
        attempt: req.attempt,
        scheduled_for: req.scheduledFor,
      });
      const startedAt = clock.now();
      const args = [
        "run",
        "--allow-all",
        ...(entry.config ? ["--config", entry.config] : []),
        entry.main,
        "run",
        ...runArgs,
        "--pipeline",
        req.pipeline,
        "--run-id",
        req.runId,
        "--trigger",
        "schedule",
        "--attempt",
        String(req.attempt),
        "--scheduled-for",
        req.scheduledFor.toISOString(),
        "--log-format",
        "json",
        "--json",
      ];
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(Deno.execPath(), {
          args,
          env,
          clearEnv: true,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (err) {
        return {
          status: "failed",
          runId: req.runId,
          summary: null,
          error: `cannot start the run process: ${errorMessage(err)}`,
          errorStage: null,
          errorPartition: null,
        };
      }
      let terminated = false;
      const onAbort = () => {
        terminated = true;
        try {
          child.kill("SIGTERM");
        } catch { /* already exited */ }
      };
      req.signal.addEventListener("abort", onAbort, { once: true });
      if (req.signal.aborted) onAbort();
      log.info("run process started", { pid: child.pid });
      options.onSpawn?.({
        pid: child.pid,
        runId: req.runId,
        attempt: req.attempt,
      });
      let lastError: string | null = null;
      const relay = (async () => {
        for await (const line of lines(child.stderr)) {
          const rec = parseLogLine(line);
          if (rec) {
            const { run_id: _r, ...fields } = rec.fields as LogFields;
            log[rec.level](rec.msg, { ...fields, pid: child.pid });
            if (rec.level === "error") lastError = rec.msg;
          } else if (line.trim()) {
            log.warn(line, { pid: child.pid, stream: "stderr" });
            lastError = line;
          }
        }
      })();
      const stdout = (async () => {
        let text = "";
        for await (
          const chunk of child.stdout.pipeThrough(new TextDecoderStream())
        ) {
          text += chunk;
        }
        return text;
      })();
      const status = await child.status;
      req.signal.removeEventListener("abort", onAbort);
      await relay;
      const summary = parseSummary(await stdout);
      const base = {
        runId: req.runId,
        summary,
        errorStage: summary?.error_stage ?? null,
        errorPartition: summary?.error_partition ?? null,
      };
      const byCode = Object.entries(RUN_EXIT_CODES).find(([, c]) =>
        c === status.code
      )?.[0] as RunOutcome["status"] | undefined;
      if (status.signal === null && byCode) {
        return {
          ...base,
          status: byCode,
          error: byCode === "succeeded" ? null : summary?.error ?? lastError ??
            `run exited with status ${status.code}`,
        };
      }
      const why = status.signal
        ? `run process killed by ${status.signal}`
        : `run process exited with status ${status.code}`;
      if (terminated && status.signal === "SIGTERM") {
        return { ...base, status: "interrupted", error: why };
      }
      try {
        await recordRunCrash(client, {
          runId: req.runId,
          pipeline: req.pipeline,
          source: options.source,
          trigger: "schedule",
          attempt: req.attempt,
          scheduledFor: req.scheduledFor,
          startedAt,
          finishedAt: clock.now(),
          error: why,
        });
      } catch (err) {
        log.error(`cannot record the crashed run: ${errorMessage(err)}`);
      }
      return { ...base, status: "failed", error: why };
    },
  };
}

/** The run summary a child printed with `--json` (its last JSON line). */
function parseSummary(stdout: string): RunSummary | null {
  const last = stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(
    -1,
  );
  if (!last) return null;
  try {
    return JSON.parse(last) as RunSummary;
  } catch {
    return null;
  }
}

async function* lines(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}
