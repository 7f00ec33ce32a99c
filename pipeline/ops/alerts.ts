/**
 * Alerts: a run that finally failed, data staler than a threshold, or a
 * blocking data-quality check that failed. Each alert is logged and POSTed
 * as JSON to `ALERT_WEBHOOK_URL`: a Slack-compatible `text` line plus the
 * structured fields. Secrets never leave: every string is redacted, and the
 * webhook URL (its path is a token) is never logged.
 * @module
 */
import type { Logger } from "@pipeline/ops/logging.ts";
import { redactSecrets } from "@pipeline/ops/secrets.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { realSleep, type Sleep } from "@pipeline/extract/http/sleep.ts";

/** Why an alert fired. */
export type AlertKind = "run_failed" | "stale" | "check_failed";

/** One alert: a one-line summary and the facts behind it. */
export interface Alert {
  kind: AlertKind;
  severity: "critical" | "warning";
  /** The pipeline it concerns. */
  pipeline: string;
  /** One line for humans (becomes the Slack `text`). */
  summary: string;
  /** When it fired (ISO-8601). */
  at: string;
  run_id?: string;
  source?: string;
  trigger?: string;
  /** Attempts made (run_failed). */
  attempts?: number;
  scheduled_for?: string;
  stage?: string;
  partition?: string;
  error?: string;
  /** Newest loaded timestamp (stale). */
  newest_ts?: string | null;
  lag_seconds?: number | null;
  threshold_seconds?: number;
  /** The failed check's name (check_failed). */
  check?: string;
  dataset?: string;
}

/** The JSON body POSTed to the webhook. */
export type AlertPayload = Alert & { text: string; host: string };

/** What became of one alert. */
export interface AlertDelivery {
  /** Whether the webhook accepted it (2xx). */
  delivered: boolean;
  /** HTTP status of the last attempt, when there was a response. */
  status?: number;
  /** Why it was not delivered (no URL, network error, non-2xx). */
  error?: string;
}

/** Sends alerts. Never throws: delivery problems are reported and logged. */
export interface Alerter {
  send(alert: Alert): Promise<AlertDelivery>;
}

/** The payload of `alert`, every string redacted. */
export function alertPayload(
  alert: Alert,
  options: { secrets?: readonly string[]; host?: string } = {},
): AlertPayload {
  const { secrets = [], host = Deno.hostname() } = options;
  const clean = Object.fromEntries(
    Object.entries(alert).filter(([, v]) => v !== undefined).map((
      [k, v],
    ) => [k, typeof v === "string" ? redactSecrets(v, secrets) : v]),
  ) as unknown as Alert;
  const icon = alert.severity === "critical" ? ":rotating_light:" : ":warning:";
  return {
    text: `${icon} [sluice] ${clean.summary}`,
    ...clean,
    host,
  };
}

/** Options of {@link webhookAlerter}. */
export interface WebhookAlerterOptions {
  /** The webhook (`ALERT_WEBHOOK_URL`); without one alerts are only logged. */
  url?: string | undefined;
  /** Where alerts are logged. */
  logger: Logger;
  /** Removed from every field. Default none. */
  secrets?: readonly string[];
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms. Default 10 000. */
  timeoutMs?: number;
  /** Attempts per alert. Default 3. */
  attempts?: number;
  /** Waits between attempts (1 s, 2 s, ...). Default a real timer. */
  sleep?: Sleep;
}

/**
 * An {@link Alerter} that logs each alert (level error or warn) and POSTs
 * it to `url`, retrying network errors and 5xx/429 a few times.
 */
export function webhookAlerter(options: WebhookAlerterOptions): Alerter {
  const {
    url,
    logger,
    secrets = [],
    fetch: doFetch = globalThis.fetch,
    timeoutMs = 10_000,
    attempts = 3,
    sleep = realSleep,
  } = options;
  const target = url ? webhookHost(url) : undefined;
  return {
    async send(alert) {
      const payload = alertPayload(alert, { secrets });
      const {
        text: _text,
        host: _host,
        summary,
        kind,
        severity: _severity,
        ...fields
      } = payload;
      const log = alert.severity === "critical" ? logger.error : logger.warn;
      log(`ALERT ${summary}`, { alert: kind, ...fields });
      if (!url) {
        logger.warn("ALERT_WEBHOOK_URL is not set: the alert was only logged", {
          alert: alert.kind,
        });
        return { delivered: false, error: "ALERT_WEBHOOK_URL is not set" };
      }
      let last: AlertDelivery = { delivered: false, error: "not sent" };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const res = await doFetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.body?.cancel();
          if (res.ok) {
            logger.info("alert delivered", {
              alert: alert.kind,
              webhook: target,
              status: res.status,
            });
            return { delivered: true, status: res.status };
          }
          last = {
            delivered: false,
            status: res.status,
            error: `webhook answered HTTP ${res.status}`,
          };
          if (res.status < 500 && res.status !== 429) break;
        } catch (err) {
          last = {
            delivered: false,
            error: redactSecrets(errorMessage(err), [url, ...secrets]),
          };
        }
        if (attempt < attempts) await sleep(1000 * attempt);
      }
      logger.error("alert not delivered", {
        alert: alert.kind,
        webhook: target,
        error: last.error,
      });
      return last;
    },
  };
}

/** Only the host of a webhook URL (its path and query may hold a token). */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(unparseable URL)";
  }
}

/** What {@link runFailedAlert} needs. */
export interface RunFailedFacts {
  pipeline: string;
  source: string;
  runId: string;
  attempts: number;
  scheduledFor?: Date | undefined;
  error: string;
  stage?: string | null | undefined;
  partition?: string | null | undefined;
  at: Date;
}

/** The alert of a scheduled run that failed after its last retry. */
export function runFailedAlert(f: RunFailedFacts): Alert {
  const when = f.scheduledFor
    ? ` (occurrence ${f.scheduledFor.toISOString()})`
    : "";
  return {
    kind: "run_failed",
    severity: "critical",
    pipeline: f.pipeline,
    source: f.source,
    summary: `pipeline ${f.pipeline} failed after ${f.attempts} attempt${
      f.attempts === 1 ? "" : "s"
    }${when}: ${f.error}`,
    at: f.at.toISOString(),
    run_id: f.runId,
    trigger: "schedule",
    attempts: f.attempts,
    ...(f.scheduledFor ? { scheduled_for: f.scheduledFor.toISOString() } : {}),
    ...(f.stage ? { stage: f.stage } : {}),
    ...(f.partition ? { partition: f.partition } : {}),
    error: f.error,
  };
}

/** What {@link staleAlert} needs. */
export interface StaleFacts {
  pipeline: string;
  source: string;
  newestTs: Date | null;
  thresholdMs: number;
  at: Date;
}

/** The alert of data older than the threshold (or never loaded). */
export function staleAlert(f: StaleFacts): Alert {
  const lag = f.newestTs
    ? Math.round((f.at.getTime() - f.newestTs.getTime()) / 1000)
    : null;
  const threshold = Math.round(f.thresholdMs / 1000);
  return {
    kind: "stale",
    severity: "warning",
    pipeline: f.pipeline,
    source: f.source,
    summary: f.newestTs
      ? `data of ${f.source} is stale: newest loaded ${f.newestTs.toISOString()}, ${
        formatSeconds(lag ?? 0)
      } behind (threshold ${formatSeconds(threshold)})`
      : `no data of ${f.source} has been loaded yet (threshold ${
        formatSeconds(threshold)
      })`,
    at: f.at.toISOString(),
    newest_ts: f.newestTs?.toISOString() ?? null,
    lag_seconds: lag,
    threshold_seconds: threshold,
  };
}

/** What {@link checkFailedAlert} needs: the data-quality hook. */
export interface CheckFailedFacts {
  pipeline: string;
  runId: string;
  /** The check's name. */
  check: string;
  dataset: string;
  /** What the check found. */
  detail: string;
  at: Date;
}

/**
 * The alert of a blocking data-quality check that failed. The
 * data-quality stage calls `deps.alerter.send(checkFailedAlert(...))`
 * from within a run (`RunDeps.alerter`).
 */
export function checkFailedAlert(f: CheckFailedFacts): Alert {
  return {
    kind: "check_failed",
    severity: "critical",
    pipeline: f.pipeline,
    summary:
      `blocking check ${f.check} failed on ${f.dataset} in run ${f.runId}: ${f.detail}`,
    at: f.at.toISOString(),
    run_id: f.runId,
    check: f.check,
    dataset: f.dataset,
    error: f.detail,
  };
}

/** `3725` as `1h 2m 5s`. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const d = Math.floor(s / 86_400), h = Math.floor(s % 86_400 / 3600);
  const m = Math.floor(s % 3600 / 60), sec = s % 60;
  const parts = [
    d ? `${d}d` : "",
    h ? `${h}h` : "",
    m ? `${m}m` : "",
    sec || s === 0 ? `${sec}s` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
