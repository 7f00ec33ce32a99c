/**
 * `deno task etl schedule` as an operator runs it: a real process, real
 * child runs, a Postgres server, a local alert receiver.
 *
 * The first test goes through the real `Deno.cron` path with an
 * every-minute schedule, so it waits up to a minute for the first
 * occurrence: it is the one slow test. The others drive the same
 * occurrence logic with the test-only `SLUICE_SCHEDULE_TICK_MS` timer.
 */
import assert from "node:assert/strict";
import {
  openTestDatabase,
  SKIP_SERVER_TESTS,
  type TestDatabase,
} from "../_db.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { alertReceiver } from "../ops/_receiver.ts";
import { type EtlProcess, spawnEtl } from "../ops/_process.ts";

const DAY = 86_400_000;

/** The JSON log lines of a process so far. */
function logLines(p: EtlProcess): Record<string, unknown>[] {
  return p.lines.flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

/** Waits for a JSON log line whose msg matches, returns it parsed. */
async function waitForLog(
  p: EtlProcess,
  msg: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const line = await p.waitForLine(new RegExp(`"msg":"${msg}`), timeoutMs);
  return JSON.parse(line);
}

async function metricsOf(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return await res.text();
}

/**
 * /metrics once it shows `series`: the scheduler counts an alert as delivered
 * when the receiver's response comes back, a moment after the receiver saw
 * it. Polls for at most `timeoutMs`, then returns the last scrape.
 */
async function metricsShowing(
  url: string,
  series: RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = await metricsOf(url);
  while (!series.test(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    text = await metricsOf(url);
  }
  return text;
}

async function tableState(client: SqlClient) {
  const { rows: [bars] } = await client.query<
    { n: number; load_ids: number }
  >(
    `SELECT count(*)::int AS n, count(DISTINCT load_id)::int AS load_ids
     FROM bars_1m`,
  );
  const { rows: running } = await client.query(
    "SELECT run_id FROM etl_runs WHERE status = 'running'",
  );
  return { bars: bars!, running: running.length };
}

async function withServerDb(
  fn: (db: TestDatabase, dataDir: string) => Promise<void>,
) {
  const db = await openTestDatabase("postgres");
  const dataDir = await Deno.makeTempDir();
  try {
    await fn(db, dataDir);
  } finally {
    await db.dispose();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test({
  name:
    "etl schedule on Deno.cron: a run killed mid-way is retried and completes, /metrics shows it, the stale-data alert arrives, SIGTERM stops it cleanly [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    await withServerDb(async (db, dataDir) => {
      await using receiver = alertReceiver();
      const asOf = new Date(Date.now() - 3 * DAY).toISOString();
      await using scheduler = spawnEtl([
        "schedule",
        "--cron",
        "* * * * *",
        "--retries",
        "2",
        "--retry-base",
        "1s",
        "--retry-max",
        "2s",
        "--stale-after",
        "1h",
        "--metrics-port",
        "0",
        "--log-format",
        "json",
        "--symbols",
        "AAPL,MSFT",
        "--sessions",
        "2",
        "--as-of",
        asOf,
        "--data-dir",
        dataDir,
      ], {
        cron: true,
        env: { DATABASE_URL: db.url!, ALERT_WEBHOOK_URL: receiver.url },
      });
      const started = await waitForLog(
        scheduler,
        "scheduler .* running",
        30_000,
      );
      const url = String(started.metrics).replace(/\/metrics$/, "");
      const health = await fetch(`${url}/healthz`);
      assert.deepEqual(await health.json(), { ok: true, state: "running" });
      assert.match(String(started.msg), /executor process/);

      // The first occurrence (at the next minute): kill its run mid-way.
      const first = await waitForLog(scheduler, "run process started", 75_000);
      const scheduledFor = String(first.scheduled_for);
      assert.match(scheduledFor, /:00\.000Z$/, "a minute occurrence");
      await scheduler.waitForLine(
        new RegExp(`"msg":"transform: \\d+ rows".*"run_id":"${first.run_id}"`),
      );
      Deno.kill(Number(first.pid), "SIGKILL");

      // The retry runs and completes.
      const retry = await waitForLog(
        scheduler,
        "retrying in [\\d.]+ s \\(attempt 2 of 3\\)",
      );
      assert.equal(retry.run_id, first.run_id);
      const done = await waitForLog(
        scheduler,
        "occurrence succeeded after 2 attempt",
      );
      assert.equal(done.scheduled_for, scheduledFor);

      // The data is three days old: the stale-data alert arrives.
      const [alert] = await receiver.waitFor(1, 30_000);
      assert.equal(alert!.kind, "stale");
      assert.equal(alert!.pipeline, "synthetic");
      assert.match(
        String(alert!.text),
        /\[sluice\] data of synthetic is stale/,
      );
      assert.ok(!receiver.raw[0]!.includes(db.url!), "no database URL");

      const metrics = await metricsShowing(
        url,
        /sluice_alerts_total\{delivered="true",kind="stale"\} 1\n/,
      );
      for (
        const series of [
          /sluice_runs_total\{pipeline="synthetic",status="failed"\} 1\n/,
          /sluice_runs_total\{pipeline="synthetic",status="succeeded"\} 1\n/,
          /sluice_run_retries_total\{pipeline="synthetic"\} 1\n/,
          /sluice_stage_rows_total\{pipeline="synthetic",stage="load"\} [1-9]\d*\n/,
          /sluice_stage_duration_seconds_count\{pipeline="synthetic",stage="snapshot"\} 1\n/,
          /sluice_last_success_timestamp_seconds\{source="synthetic"\} \d+/,
          /sluice_quarantine_rows\{dataset="bars",source="synthetic"\} [1-9]/,
          /sluice_alerts_total\{delivered="true",kind="stale"\} 1\n/,
        ]
      ) assert.match(metrics, series);

      scheduler.kill("SIGTERM");
      const exit = await scheduler.done;
      assert.equal(exit.code, 0, exit.stderr.slice(-3000));
      assert.ok(logLines(scheduler).some((l) => l.msg === "scheduler stopped"));

      // Every line about a run names it.
      for (const l of logLines(scheduler)) {
        if (
          /^(extract|validate|transform|load|snapshot): \d+ rows/.test(
            String(l.msg),
          )
        ) {
          assert.match(String(l.run_id), /^[0-9a-f-]{36}$/, JSON.stringify(l));
        }
      }

      // The killed attempt and the retry, recorded; nothing half-loaded.
      const { rows: runs } = await db.client.query<
        {
          attempt: number;
          status: string;
          error: string | null;
          loaded: number | null;
        }
      >(
        `SELECT attempt, status, error,
                (summary -> 'counts' ->> 'loaded')::int AS loaded
         FROM etl_runs WHERE scheduled_for = $1 ORDER BY attempt`,
        [scheduledFor],
      );
      assert.deepEqual(runs.map((r) => [r.attempt, r.status]), [
        [1, "failed"],
        [2, "succeeded"],
      ]);
      assert.equal(runs[0]!.error, "run process killed by SIGKILL");
      const state = await tableState(db.client);
      assert.equal(state.running, 0, "no run left marked running");
      assert.equal(state.bars.n, runs[1]!.loaded, "every bar once");
      assert.equal(
        state.bars.load_ids,
        1,
        "one run's rows, never a part of two",
      );
      const { rows: [occ] } = await db.client.query(
        `SELECT status, attempts FROM etl_schedule_occurrences
         WHERE job = 'etl' AND scheduled_for = $1`,
        [scheduledFor],
      );
      assert.deepEqual(occ, { status: "succeeded", attempts: 2 });
    });
  },
});

Deno.test({
  name:
    "etl schedule stopped by SIGTERM during a run: the run stops at a safe point, nothing is half-loaded, exit 0 [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    await withServerDb(async (db, dataDir) => {
      await using scheduler = spawnEtl([
        "schedule",
        "--retries",
        "0",
        "--missed",
        "skip",
        "--metrics-port",
        "0",
        "--log-format",
        "json",
        "--sessions",
        "5",
        "--as-of",
        "2026-11-20T21:30:00Z",
        "--data-dir",
        dataDir,
      ], {
        cron: true,
        env: { DATABASE_URL: db.url!, SLUICE_SCHEDULE_TICK_MS: "1000" },
      });
      const run = await waitForLog(scheduler, "run process started");
      await scheduler.waitForLine(/"msg":"transform: \d+ rows"/);
      scheduler.kill("SIGTERM");
      const exit = await scheduler.done;
      assert.equal(exit.code, 0, exit.stderr.slice(-3000));
      assert.ok(logLines(scheduler).some((l) => l.msg === "scheduler stopped"));
      const { rows: [r] } = await db.client.query<
        { status: string; error: string | null; loaded: number | null }
      >(
        `SELECT status, error, (summary -> 'counts' ->> 'loaded')::int AS loaded
         FROM etl_runs WHERE run_id = $1`,
        [run.run_id],
      );
      const state = await tableState(db.client);
      assert.equal(state.running, 0);
      if (r!.status === "succeeded") {
        assert.equal(state.bars.n, r!.loaded);
      } else {
        assert.match(r!.error ?? "", /interrupted \(SIGTERM\)/);
        assert.ok(
          state.bars.n === 0 || state.bars.n === r!.loaded,
          `bars_1m holds ${state.bars.n} of ${r!.loaded} rows: half-loaded`,
        );
      }
      const { rows: occ } = await db.client.query<{ status: string }>(
        `SELECT status FROM etl_schedule_occurrences
         WHERE job = 'etl' AND run_id = $1`,
        [run.run_id],
      );
      assert.ok(
        ["interrupted", "succeeded"].includes(occ[0]!.status),
        occ[0]!.status,
      );
    });
  },
});

Deno.test("etl schedule with PGlite runs inline: a run loads, /metrics and status show it, SIGTERM stops it", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await using scheduler = spawnEtl([
      "schedule",
      "--missed",
      "skip",
      "--metrics-port",
      "0",
      "--log-format",
      "json",
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--no-snapshot",
      "--as-of",
      "2026-11-20T21:30:00Z",
      "--data-dir",
      dataDir,
    ], { cron: true, env: { SLUICE_SCHEDULE_TICK_MS: "1000" } });
    const started = await waitForLog(scheduler, "scheduler .* running");
    assert.match(String(started.msg), /executor inline/);
    const url = String(started.metrics).replace(/\/metrics$/, "");
    await waitForLog(scheduler, "occurrence succeeded after 1 attempt");
    const metrics = await metricsOf(url);
    assert.match(
      metrics,
      /sluice_runs_total\{pipeline="synthetic",status="succeeded"\} [1-9]/,
    );
    const busy = await spawnEtl(["status", "--data-dir", dataDir]).done;
    assert.equal(busy.code, 3, "PGlite belongs to the scheduler's process");
    scheduler.kill("SIGTERM");
    const exit = await scheduler.done;
    assert.equal(exit.code, 0, exit.stderr.slice(-3000));
    const status = await spawnEtl(["status", "--json", "--data-dir", dataDir])
      .done;
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.equal(report.runs.at(-1).trigger, "schedule");
    assert.ok(
      report.runs.some((r: { status: string }) => r.status === "succeeded"),
    );
    assert.ok(
      report.schedule.some((o: { status: string; job: string }) =>
        o.job === "etl" && o.status === "succeeded"
      ),
    );
    assert.equal(
      report.runs.filter((r: { status: string }) => r.status === "running")
        .length,
      0,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
