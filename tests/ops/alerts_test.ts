import assert from "node:assert/strict";
import {
  alertPayload,
  checkFailedAlert,
  formatSeconds,
  runFailedAlert,
  staleAlert,
  webhookAlerter,
} from "@pipeline/ops/alerts.ts";
import { createLogger } from "@pipeline/ops/logging.ts";
import { alertReceiver } from "./_receiver.ts";

const AT = new Date("2026-11-22T05:07:00Z");
const KEY = "sk-TEST-9f8e7d6c5b4a";

function logs() {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ format: "json", write: (l) => lines.push(l) }),
  };
}

const failed = runFailedAlert({
  pipeline: "synthetic",
  source: "synthetic",
  runId: "1b2c3d4e-0000-4000-8000-000000000001",
  attempts: 3,
  scheduledFor: new Date("2026-11-22T05:05:00Z"),
  error: `[extract IBM] HTTP 401 for ?apikey=${KEY}`,
  stage: "extract",
  partition: "IBM",
  at: AT,
});

Deno.test("runFailedAlert() says what failed, where, after how many attempts", () => {
  assert.equal(failed.kind, "run_failed");
  assert.equal(failed.severity, "critical");
  assert.match(
    failed.summary,
    /^pipeline synthetic failed after 3 attempts \(occurrence 2026-11-22T05:05:00.000Z\): \[extract IBM\]/,
  );
  assert.equal(failed.stage, "extract");
  assert.equal(failed.partition, "IBM");
});

Deno.test("alertPayload() is Slack-compatible and carries no secret", () => {
  const payload = alertPayload(failed, { secrets: [KEY], host: "etl-1" });
  assert.match(
    payload.text,
    /^:rotating_light: \[sluice\] pipeline synthetic failed/,
  );
  assert.equal(payload.host, "etl-1");
  assert.equal(payload.attempts, 3);
  assert.ok(!JSON.stringify(payload).includes(KEY));
  assert.match(String(payload.error), /apikey=\*\*\*/);
});

Deno.test("staleAlert() gives the lag and threshold, or says nothing was loaded", () => {
  const stale = staleAlert({
    pipeline: "synthetic",
    source: "synthetic",
    newestTs: new Date("2026-11-20T20:59:00Z"),
    thresholdMs: 3_600_000,
    at: AT,
  });
  assert.equal(stale.lag_seconds, 115_680);
  assert.equal(stale.threshold_seconds, 3600);
  assert.match(stale.summary, /1d 8h 8m behind \(threshold 1h\)/);
  const never = staleAlert({
    pipeline: "p",
    source: "finnhub",
    newestTs: null,
    thresholdMs: 60_000,
    at: AT,
  });
  assert.equal(never.lag_seconds, null);
  assert.match(never.summary, /no data of finnhub has been loaded yet/);
});

Deno.test("checkFailedAlert() is the data-quality hook's alert", () => {
  const a = checkFailedAlert({
    pipeline: "synthetic",
    runId: "r1",
    check: "row_count_drop",
    dataset: "bars",
    detail: "rows fell 80 % below the 7-day median",
    at: AT,
  });
  assert.equal(a.kind, "check_failed");
  assert.equal(a.check, "row_count_drop");
  assert.match(a.summary, /blocking check row_count_drop failed on bars/);
});

Deno.test("webhookAlerter() POSTs the alert to a local receiver and logs it without the webhook path", async () => {
  await using receiver = alertReceiver();
  const { lines, logger } = logs();
  const alerter = webhookAlerter({
    url: receiver.url,
    logger,
    secrets: [KEY, receiver.url],
  });
  const delivery = await alerter.send(failed);
  assert.deepEqual(delivery, { delivered: true, status: 200 });
  const [body] = receiver.alerts;
  assert.equal(body?.kind, "run_failed");
  assert.equal(typeof body?.text, "string");
  assert.equal(body?.run_id, failed.run_id);
  assert.ok(!receiver.raw[0]!.includes(KEY));
  const logged = lines.join("\n");
  assert.match(logged, /ALERT pipeline synthetic failed/);
  assert.match(logged, /alert delivered/);
  assert.ok(!logged.includes("s3cr3tW3bh00k"), "the webhook path leaked");
  assert.ok(!logged.includes(KEY));
});

Deno.test("webhookAlerter() retries a 503, reports a 400, never throws", async (t) => {
  await t.step("503 then 200: delivered on the second attempt", async () => {
    await using receiver = alertReceiver([503, 200]);
    const waits: number[] = [];
    const alerter = webhookAlerter({
      url: receiver.url,
      logger: logs().logger,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    assert.deepEqual(await alerter.send(failed), {
      delivered: true,
      status: 200,
    });
    assert.deepEqual(waits, [1000]);
  });
  await t.step("400: not retried, reported", async () => {
    await using receiver = alertReceiver([400]);
    const delivery = await webhookAlerter({
      url: receiver.url,
      logger: logs().logger,
    }).send(failed);
    assert.deepEqual(delivery, {
      delivered: false,
      status: 400,
      error: "webhook answered HTTP 400",
    });
    assert.equal(receiver.raw.length, 1);
  });
  await t.step("nothing listening: reported after the attempts", async () => {
    const { lines, logger } = logs();
    const delivery = await webhookAlerter({
      url: "http://127.0.0.1:9/hooks/secret-path",
      logger,
      sleep: () => Promise.resolve(),
    }).send(failed);
    assert.equal(delivery.delivered, false);
    assert.ok(!lines.join("\n").includes("secret-path"));
  });
  await t.step("no URL: only logged", async () => {
    const { lines, logger } = logs();
    const delivery = await webhookAlerter({ logger }).send(failed);
    assert.equal(delivery.delivered, false);
    assert.match(lines.join("\n"), /ALERT_WEBHOOK_URL is not set/);
  });
});

Deno.test("formatSeconds() reads like a duration", () => {
  assert.equal(formatSeconds(0), "0s");
  assert.equal(formatSeconds(59), "59s");
  assert.equal(formatSeconds(3600), "1h");
  assert.equal(formatSeconds(93_784), "1d 2h 3m 4s");
});
