/**
 * The scheduler in process: a fake trigger (the test fires occurrences),
 * scripted or inline executors, recorded waits, a real database and a
 * local alert receiver.
 */
import assert from "node:assert/strict";
import { dbTest, SKIP_SERVER_TESTS } from "../_db.ts";
import { openTestDatabase } from "../_db.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import type { Clock } from "@pipeline/clock.ts";
import { createLogger } from "@pipeline/ops/logging.ts";
import { webhookAlerter } from "@pipeline/ops/alerts.ts";
import { sluiceMetrics } from "@pipeline/ops/sluice_metrics.ts";
import { LockedError } from "@pipeline/ops/lock.ts";
import { cronCadence } from "@pipeline/schedule/cadence.ts";
import {
  type Executor,
  inlineExecutor,
  type RunOutcome,
  type RunRequest,
} from "@pipeline/schedule/executor.ts";
import {
  type RetentionJob,
  type RetentionOutcome,
  type Scheduler,
  type SchedulerOptions,
  startScheduler,
} from "@pipeline/schedule/scheduler.ts";
import type { Trigger } from "@pipeline/schedule/trigger.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { alertReceiver } from "../ops/_receiver.ts";

/** A clock the test moves. */
function movableClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (t) => now = new Date(t) };
}

/** A trigger that only records what was registered. */
function recordingTrigger(): Trigger & {
  names: string[];
  aborted: () => boolean;
} {
  const names: string[] = [];
  let signal: AbortSignal | undefined;
  return {
    kind: "test",
    names,
    aborted: () => signal?.aborted ?? false,
    register(name, _cadence, _fire, s) {
      names.push(name);
      signal = s;
    },
  };
}

/** An executor answering attempt n with `script[n-1]` (the last repeating). */
function scriptedExecutor(
  script: (RunOutcome["status"] | ((req: RunRequest) => Promise<RunOutcome>))[],
): Executor & { requests: RunRequest[] } {
  const requests: RunRequest[] = [];
  return {
    kind: "process",
    requests,
    run(req) {
      requests.push(req);
      const step = script[Math.min(requests.length - 1, script.length - 1)]!;
      if (typeof step === "function") return step(req);
      return Promise.resolve({
        status: step,
        runId: req.runId,
        summary: null,
        error: step === "succeeded"
          ? null
          : `[load] attempt ${req.attempt} broke`,
        errorStage: step === "succeeded" ? null : "load",
        errorPartition: null,
      });
    },
  };
}

const OPTIONS: SchedulerOptions = {
  pipeline: "synthetic",
  source: "synthetic",
  cadences: {
    etl: cronCadence("5 * * * *"),
    retention: cronCadence("30 3 * * *"),
  },
  missed: "once",
  missedCap: 24,
  retry: { retries: 2, baseMs: 1000, maxMs: 60_000 },
  staleAfterMs: 0,
};

interface Harness {
  scheduler: Scheduler;
  waits: number[];
  lines: string[];
  metrics: ReturnType<typeof sluiceMetrics>;
  trigger: ReturnType<typeof recordingTrigger>;
}

async function start(
  client: SqlClient,
  executor: Executor,
  options: Partial<SchedulerOptions> & {
    clock: Clock;
    webhook?: string;
    retention?: RetentionJob;
  },
): Promise<Harness> {
  const lines: string[] = [];
  const waits: number[] = [];
  const logger = createLogger({
    format: "json",
    clock: options.clock,
    write: (l) => lines.push(l),
  });
  const metrics = sluiceMetrics(options.clock.now());
  const trigger = recordingTrigger();
  const scheduler = await startScheduler({ ...OPTIONS, ...options }, {
    client,
    clock: options.clock,
    logger,
    executor,
    alerter: webhookAlerter({
      url: options.webhook,
      logger,
      sleep: () => Promise.resolve(),
    }),
    metrics,
    trigger,
    retention: options.retention,
    random: () => 0,
    sleep: (ms, signal) => {
      waits.push(ms);
      return signal?.aborted
        ? Promise.reject(signal.reason)
        : Promise.resolve();
    },
  });
  return { scheduler, waits, lines, metrics, trigger };
}

async function occurrences(client: SqlClient, pipeline = "synthetic") {
  const { rows } = await client.query<
    { job: string; at: string; status: string; attempts: number }
  >(
    `SELECT job, to_char(scheduled_for AT TIME ZONE 'UTC', 'HH24:MI') AS at,
            status, attempts
     FROM etl_schedule_occurrences WHERE pipeline = $1
     ORDER BY scheduled_for, job`,
    [pipeline],
  );
  return rows;
}

const at = (hhmm: string) => new Date(`2026-11-22T${hhmm}:00Z`);

dbTest(
  "startScheduler() retries, alerts, skips overlaps and stops cleanly",
  async (db, t) => {
    const clock = movableClock("2026-11-22T09:05:00Z");
    await using receiver = alertReceiver();

    await t.step(
      "registers the ETL and retention with the trigger",
      async () => {
        const h = await start(db.client, scriptedExecutor(["succeeded"]), {
          clock,
        });
        assert.deepEqual(h.trigger.names, [
          "sluice synthetic etl",
          "sluice synthetic retention",
        ]);
        await h.scheduler.stop("test");
        assert.equal(
          h.trigger.aborted(),
          true,
          "Deno.cron jobs are unregistered",
        );
      },
    );

    await t.step(
      "a failed run is retried with backoff; the final failure alerts once",
      async () => {
        const exec = scriptedExecutor(["failed"]);
        const h = await start(db.client, exec, {
          clock,
          webhook: receiver.url,
        });
        await h.scheduler.fire("etl", at("09:05"));
        assert.deepEqual(exec.requests.map((r) => r.attempt), [1, 2, 3]);
        assert.equal(new Set(exec.requests.map((r) => r.runId)).size, 3);
        assert.deepEqual(h.waits, [500, 1000], "equal jitter, doubling");
        assert.deepEqual(await occurrences(db.client), [
          { job: "etl", at: "09:05", status: "failed", attempts: 3 },
        ]);
        const [alert] = await receiver.waitFor(1);
        assert.equal(alert!.kind, "run_failed");
        assert.equal(alert!.attempts, 3);
        assert.equal(alert!.run_id, exec.requests[2]!.runId);
        assert.equal(alert!.stage, "load");
        assert.equal(alert!.scheduled_for, "2026-11-22T09:05:00.000Z");
        const metrics = h.metrics.render();
        assert.match(
          metrics,
          /sluice_runs_total\{pipeline="synthetic",status="failed"\} 3/,
        );
        assert.match(
          metrics,
          /sluice_run_retries_total\{pipeline="synthetic"\} 2/,
        );
        assert.match(
          metrics,
          /sluice_alerts_total\{delivered="true",kind="run_failed"\} 1/,
        );
        assert.ok(
          h.lines.some((l) => /retrying in 0\.5 s \(attempt 2 of 3\)/.test(l)),
        );
        await h.scheduler.stop("test");
      },
    );

    await t.step(
      "a retry that succeeds ends the occurrence quietly; a second firing of it does nothing",
      async () => {
        const exec = scriptedExecutor(["failed", "succeeded"]);
        const h = await start(db.client, exec, {
          clock,
          webhook: receiver.url,
        });
        await h.scheduler.fire("etl", at("10:05"));
        await h.scheduler.fire("etl", at("10:05"));
        assert.equal(exec.requests.length, 2);
        assert.equal(receiver.alerts.length, 1, "no new alert");
        assert.deepEqual((await occurrences(db.client)).at(-1), {
          job: "etl",
          at: "10:05",
          status: "succeeded",
          attempts: 2,
        });
        assert.ok(
          h.lines.some((l) => l.includes("occurrence already handled")),
        );
        await h.scheduler.stop("test");
      },
    );

    await t.step(
      "a firing while the previous occurrence runs is recorded as skipped",
      async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => release = r);
        const exec = scriptedExecutor([async (req) => {
          await gate;
          return {
            status: "succeeded",
            runId: req.runId,
            summary: null,
            error: null,
            errorStage: null,
            errorPartition: null,
          };
        }]);
        const h = await start(db.client, exec, { clock });
        const first = h.scheduler.fire("etl", at("11:05"));
        await h.scheduler.fire("etl", at("12:05"));
        release();
        await first;
        assert.deepEqual((await occurrences(db.client)).slice(-2), [
          { job: "etl", at: "11:05", status: "succeeded", attempts: 1 },
          { job: "etl", at: "12:05", status: "skipped", attempts: 0 },
        ]);
        await h.scheduler.stop("test");
      },
    );

    await t.step(
      "stop() during a run: the run is told to stop, the occurrence is interrupted, nothing new starts",
      async () => {
        let started!: () => void;
        const running = new Promise<void>((r) => started = r);
        const exec = scriptedExecutor([
          (req) =>
            new Promise<RunOutcome>((resolve) => {
              started();
              req.signal.addEventListener("abort", () =>
                resolve({
                  status: "interrupted",
                  runId: req.runId,
                  summary: null,
                  error:
                    "interrupted (SIGTERM) before the load; nothing was loaded",
                  errorStage: "transform",
                  errorPartition: null,
                }));
            }),
        ]);
        clock.set("2026-11-22T13:05:00Z");
        const h = await start(db.client, exec, { clock });
        const firing = h.scheduler.fire("etl", at("13:05"));
        await running;
        await h.scheduler.stop("SIGTERM");
        await firing;
        assert.equal(h.scheduler.state(), "stopped");
        await h.scheduler.fire("etl", at("14:05"));
        assert.equal(exec.requests.length, 1, "no run after stop");
        assert.deepEqual((await occurrences(db.client)).at(-1), {
          job: "etl",
          at: "13:05",
          status: "interrupted",
          attempts: 1,
        });
      },
    );

    await t.step(
      "at start, the missed-run policy runs the latest missed occurrence (interrupted ones count)",
      async () => {
        clock.set("2026-11-22T16:30:00Z");
        const exec = scriptedExecutor(["succeeded"]);
        const h = await start(db.client, exec, { clock, missed: "once" });
        await h.scheduler.idle();
        assert.deepEqual(
          exec.requests.map((r) => r.scheduledFor.toISOString()),
          ["2026-11-22T16:05:00.000Z"],
        );
        assert.deepEqual((await occurrences(db.client)).slice(-4), [
          { job: "etl", at: "13:05", status: "skipped", attempts: 1 },
          { job: "etl", at: "14:05", status: "skipped", attempts: 0 },
          { job: "etl", at: "15:05", status: "skipped", attempts: 0 },
          { job: "etl", at: "16:05", status: "succeeded", attempts: 1 },
        ]);
        await h.scheduler.stop("test");
      },
    );

    await t.step(
      "retention is registered but not configured: each occurrence is a recorded no-op",
      async () => {
        const exec = scriptedExecutor(["succeeded"]);
        const h = await start(db.client, exec, { clock });
        await h.scheduler.fire("retention", at("03:30"));
        assert.equal(exec.requests.length, 0);
        assert.deepEqual((await occurrences(db.client))[0], {
          job: "retention",
          at: "03:30",
          status: "noop",
          attempts: 0,
        });
        assert.ok(h.lines.some((l) => l.includes("retention not configured")));
        await h.scheduler.stop("test");
      },
    );
  },
);

dbTest(
  "startScheduler() with the inline executor loads, then alerts on stale data",
  async (db) => {
    await using receiver = alertReceiver();
    const dataDir = await Deno.makeTempDir();
    try {
      const clock = movableClock("2026-11-22T09:05:00Z");
      const runClock = movableClock("2026-11-20T21:30:00Z");
      const config = parseRunConfig({
        dataDir,
        symbols: ["AAPL"],
        sessions: 1,
        snapshot: false,
      });
      const logger = createLogger({ write: () => {} });
      const exec = inlineExecutor({
        config,
        client: db.client,
        clock: runClock,
        logger,
        source: () => sourceFor(config, { clock: runClock }),
      });
      const h = await start(db.client, exec, {
        clock,
        webhook: receiver.url,
        staleAfterMs: 3_600_000,
      });
      await h.scheduler.fire("etl", at("09:05"));
      assert.ok(
        h.lines.some((l) => JSON.parse(l).msg === "attempt 1 succeeded"),
        "a success carries no error",
      );
      const [alert] = await receiver.waitFor(1);
      assert.equal(alert!.kind, "stale");
      assert.equal(alert!.newest_ts, "2026-11-20T20:59:00.000Z");
      assert.equal(alert!.lag_seconds, 129_960);
      const metrics = h.metrics.render();
      assert.match(
        metrics,
        /sluice_runs_total\{pipeline="synthetic",status="succeeded"\} 1/,
      );
      assert.match(
        metrics,
        /sluice_stage_rows_total\{pipeline="synthetic",stage="load"\} \d+/,
      );
      assert.match(
        metrics,
        /sluice_newest_data_timestamp_seconds\{source="synthetic"\} 1795208340/,
      );
      assert.match(
        metrics,
        /sluice_quarantine_rows\{dataset="bars",source="synthetic"\} \d+/,
      );
      const { rows } = await db.client.query(
        "SELECT trigger, attempt, status FROM etl_runs",
      );
      assert.deepEqual(rows, [{
        trigger: "schedule",
        attempt: 1,
        status: "succeeded",
      }]);
      await h.scheduler.stop("test");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

Deno.test({
  name:
    "startScheduler() refuses a second scheduler of a pipeline on the same database [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const db = await openTestDatabase("postgres");
    const other = await connectPostgres(db.url!);
    try {
      const clock = movableClock("2026-11-22T09:05:00Z");
      const h = await start(db.client, scriptedExecutor(["succeeded"]), {
        clock,
      });
      await assert.rejects(
        start(other, scriptedExecutor(["succeeded"]), { clock }),
        (err: Error) =>
          err instanceof LockedError &&
          /another scheduler of pipeline "synthetic" is running/.test(
            err.message,
          ),
      );
      const weather = await start(other, scriptedExecutor(["succeeded"]), {
        clock,
        pipeline: "weather",
      });
      await weather.scheduler.stop("test");
      await h.scheduler.stop("test");
      const again = await start(other, scriptedExecutor(["succeeded"]), {
        clock,
      });
      await again.scheduler.stop("test");
    } finally {
      await other.close();
      await db.dispose();
    }
  },
});

dbTest(
  "startScheduler() runs the retention job: the occurrence ends as it did, a failure alerts",
  async (db) => {
    const clock = movableClock("2026-11-22T03:30:00Z");
    await using receiver = alertReceiver();
    const outcomes: RetentionOutcome[] = [
      {
        status: "succeeded",
        message: "1 partition(s), 8 rows moved to the lake (bars_1m_p2026_08)",
      },
      {
        status: "failed",
        message: "[retention bars_1m bars_1m_p2026_09] lake is read-only",
        errorPartition: "bars_1m bars_1m_p2026_09",
      },
      { status: "noop", message: "retention not configured: no table" },
    ];
    const runIds: string[] = [];
    const h = await start(db.client, scriptedExecutor(["succeeded"]), {
      clock,
      webhook: receiver.url,
      retention: {
        run: ({ runId }) => {
          runIds.push(runId);
          return Promise.resolve(outcomes.shift()!);
        },
      },
    });
    for (const hhmm of ["03:30", "04:30", "05:30"]) {
      await h.scheduler.fire("retention", at(hhmm));
    }
    assert.deepEqual(await occurrences(db.client), [
      { job: "retention", at: "03:30", status: "succeeded", attempts: 1 },
      { job: "retention", at: "04:30", status: "failed", attempts: 1 },
      { job: "retention", at: "05:30", status: "noop", attempts: 1 },
    ]);
    const { rows } = await db.client.query<{ run_id: string; reason: string }>(
      `SELECT run_id::text, reason FROM etl_schedule_occurrences
        ORDER BY scheduled_for`,
    );
    assert.deepEqual(rows.map((r) => r.run_id), runIds);
    assert.match(rows[1]!.reason, /lake is read-only/);
    const [alert] = await receiver.waitFor(1);
    assert.equal(alert!.kind, "run_failed");
    assert.equal(alert!.stage, "retention");
    assert.equal(alert!.partition, "bars_1m bars_1m_p2026_09");
    assert.equal(alert!.run_id, runIds[1]);
    assert.ok(h.lines.some((l) => l.includes("8 rows moved to the lake")));
    await h.scheduler.stop("test");
  },
);
