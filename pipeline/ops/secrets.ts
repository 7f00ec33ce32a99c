/**
 * Secrets that must never reach a log line or an alert: API keys, tokens,
 * passwords, the database password and the alert webhook URL. Collected
 * once from the environment and removed from any text before it leaves.
 * @module
 */
import { redactText } from "@pipeline/extract/http/redact.ts";

/** Environment names whose values are secrets (case-insensitive). */
export const SECRET_ENV_PATTERN =
  /(^|_)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|WEBHOOK_URL)$/i;

/**
 * The secret values of `env`: every variable matching
 * {@link SECRET_ENV_PATTERN}, the password of `DATABASE_URL` and the path of
 * `ALERT_WEBHOOK_URL` (a Slack webhook's path is its token).
 *
 * @example
 * ```ts
 * import { secretsFromEnv } from "@pipeline/ops/secrets.ts";
 * secretsFromEnv({ FINNHUB_API_KEY: "abcd1234", HOME: "/root" }); // ["abcd1234"]
 * ```
 */
export function secretsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && SECRET_ENV_PATTERN.test(name)) out.add(value);
  }
  for (const name of ["DATABASE_URL", "ALERT_WEBHOOK_URL"]) {
    const value = env[name];
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.password) {
        out.add(url.password);
        out.add(decodeURIComponent(url.password));
      }
      if (name === "ALERT_WEBHOOK_URL") {
        out.add(value);
        if (url.pathname.length > 1) out.add(url.pathname);
      }
    } catch {
      if (name === "ALERT_WEBHOOK_URL") out.add(value);
    }
  }
  return [...out].filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
}

/**
 * `text` without secrets: each of `secrets` replaced by `***`, the password
 * of any `postgres://user:password@` URL hidden, and secret query
 * parameters (`apikey=`, `token=`, ...) redacted.
 */
export function redactSecrets(
  text: string,
  secrets: readonly string[] = [],
): string {
  const hidden = text.replace(
    /\b(postgres(?:ql)?:\/\/[^:@\s/]*):[^@\s/]*@/gi,
    "$1:***@",
  );
  return redactText(hidden, secrets);
}
