import assert from "node:assert/strict";
import { createMetrics, escapeLabelValue } from "@pipeline/ops/metrics.ts";
import { sluiceMetrics } from "@pipeline/ops/sluice_metrics.ts";
import { metricsHandler, serveMetrics } from "@pipeline/ops/metrics_server.ts";
import type { RunSummary } from "@pipeline/summary.ts";

Deno.test("createMetrics() renders the Prometheus text format", () => {
  const m = createMetrics();
  const runs = m.counter("sluice_runs_total", "Runs.");
  runs.inc({ status: "succeeded", pipeline: "p" });
  runs.inc({ pipeline: "p", status: "succeeded" });
  runs.inc({ pipeline: "p", status: "failed" });
  m.gauge("up", "Up.").set({}, 1);
  m.summary("secs", "Seconds.").observe({ stage: "load" }, 0.5);
  m.summary("secs", "Seconds.").observe({ stage: "load" }, 1.25);
  assert.equal(
    m.render(),
    [
      "# HELP sluice_runs_total Runs.",
      "# TYPE sluice_runs_total counter",
      'sluice_runs_total{pipeline="p",status="failed"} 1',
      'sluice_runs_total{pipeline="p",status="succeeded"} 2',
      "# HELP up Up.",
      "# TYPE up gauge",
      "up 1",
      "# HELP secs Seconds.",
      "# TYPE secs summary",
      'secs_sum{stage="load"} 1.75',
      'secs_count{stage="load"} 2',
      "",
    ].join("\n"),
  );
});

Deno.test("createMetrics() escapes label values and rejects bad names", () => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const m = createMetrics();
  assert.throws(() => m.counter("bad-name", "x"), /invalid metric name/);
  assert.throws(
    () => m.counter("ok", "x").inc({ "bad-label": "v" }),
    /invalid label/,
  );
  assert.throws(() => m.counter("ok", "x").inc({}, -1), /cannot decrease/);
  assert.throws(() => m.gauge("ok", "x"), /is a counter, not a gauge/);
});

const summary = {
  started_at: "2026-11-22T05:05:00.000Z",
  finished_at: "2026-11-22T05:05:04.000Z",
  stages: [
    { stage: "extract", rows_in: 0, rows_out: 3900, seconds: 1.5 },
    { stage: "load", rows_in: 3880, rows_out: 3880, seconds: 2 },
  ],
} as unknown as RunSummary;

Deno.test("sluiceMetrics() counts runs, stage rows and seconds, freshness and quarantine", () => {
  const m = sluiceMetrics(new Date("2026-11-22T05:00:00Z"));
  m.recordRun("synthetic", "succeeded", summary);
  m.recordRun("synthetic", "failed", null);
  m.recordRetry("synthetic");
  m.recordAlert("stale", true);
  m.setFreshness([{
    source: "synthetic",
    last_status: "succeeded",
    last_run_at: "2026-11-22T05:05:00.000Z",
    last_success_at: "2026-11-22T05:05:04.000Z",
    newest_ts: "2026-11-20T20:59:00.000Z",
    lag_seconds: 1,
    since_success_seconds: 1,
  }]);
  m.setQuarantine([{
    dataset: "bars",
    source: "synthetic",
    rows: 7,
    last_at: null,
  }]);
  const text = m.render();
  for (
    const line of [
      'sluice_runs_total{pipeline="synthetic",status="succeeded"} 1',
      'sluice_runs_total{pipeline="synthetic",status="failed"} 1',
      'sluice_stage_rows_total{pipeline="synthetic",stage="extract"} 3900',
      'sluice_stage_duration_seconds_sum{pipeline="synthetic",stage="load"} 2',
      'sluice_run_duration_seconds_count{pipeline="synthetic",status="succeeded"} 1',
      'sluice_last_success_timestamp_seconds{source="synthetic"} 1795323904',
      'sluice_newest_data_timestamp_seconds{source="synthetic"} 1795208340',
      'sluice_quarantine_rows{dataset="bars",source="synthetic"} 7',
      'sluice_run_retries_total{pipeline="synthetic"} 1',
      'sluice_alerts_total{delivered="true",kind="stale"} 1',
      "sluice_scheduler_start_time_seconds 1795323600",
    ]
  ) assert.ok(text.includes(`${line}\n`), line);
});

Deno.test("serveMetrics() serves /metrics and /healthz on a local port", async () => {
  let ok = true;
  await using server = serveMetrics({
    port: 0,
    render: () => "up 1\n",
    health: () => ({ ok, state: ok ? "running" : "stopping" }),
  });
  const metrics = await fetch(`${server.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(
    metrics.headers.get("content-type") ?? "",
    /^text\/plain; version=0\.0\.4/,
  );
  assert.equal(await metrics.text(), "up 1\n");
  const health = await fetch(`${server.url}/healthz`);
  assert.deepEqual(await health.json(), { ok: true, state: "running" });
  ok = false;
  const down = await fetch(`${server.url}/healthz`);
  assert.equal(down.status, 503);
  await down.body?.cancel();
  const missing = await fetch(`${server.url}/nope`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("metricsHandler() refuses methods other than GET and HEAD", () => {
  const handler = metricsHandler({
    render: () => "",
    health: () => ({ ok: true, state: "running" }),
  });
  const res = handler(new Request("http://x/metrics", { method: "POST" }));
  assert.equal(res.status, 405);
});
