/**
 * Removing secrets (API keys, tokens) from URLs and from any text that may
 * reach a log, an error message or raw-landing metadata.
 * @module
 */

/** Query parameters whose values are secrets, compared case-insensitively. */
export const SECRET_PARAMS: readonly string[] = [
  "apikey",
  "api_key",
  "token",
  "access_token",
  "key",
  "secret",
  "password",
];

/** What replaces a secret. */
export const REDACTED = "***";

/**
 * `url` with the values of {@link SECRET_PARAMS} replaced by `***` and any
 * user:password removed. Text that is not a URL is redacted as text.
 *
 * @example Hide an API key
 * ```ts
 * import { redactUrl } from "@pipeline/extract/http/redact.ts";
 * redactUrl("https://x.test/query?symbol=IBM&apikey=abc");
 * // "https://x.test/query?symbol=IBM&apikey=***"
 * ```
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(String(url));
  }
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
  }
  const secret = new Set(SECRET_PARAMS);
  const parts = parsed.search.replace(/^\?/, "").split("&").filter(Boolean);
  const kept = parts.map((part) => {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    return secret.has(decodeURIComponent(name).toLowerCase())
      ? `${name}=${REDACTED}`
      : part;
  });
  parsed.search = kept.length ? `?${kept.join("&")}` : "";
  return parsed.toString();
}

/**
 * `text` with every occurrence of each of `secrets` (exact values, at least 4
 * characters) and every `name=value` of a {@link SECRET_PARAMS} name replaced
 * by `***`.
 *
 * @example
 * ```ts
 * import { redactText } from "@pipeline/extract/http/redact.ts";
 * redactText("bad key abc123 in ?token=abc123", ["abc123"]);
 * // "bad key *** in ?token=***"
 * ```
 */
export function redactText(
  text: string,
  secrets: readonly string[] = [],
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  const names = SECRET_PARAMS.join("|");
  return out.replace(
    new RegExp(`\\b(${names})=(?!\\*\\*\\*)[^&\\s"'<>)#]*`, "gi"),
    `$1=${REDACTED}`,
  );
}

/**
 * A copy of an error (and its `cause` chain) whose messages and stacks have
 * `secrets` removed. Network errors from `fetch` quote the full request URL,
 * key included, so they are never kept as a cause unredacted.
 */
export function redactError(
  err: unknown,
  secrets: readonly string[] = [],
): Error {
  return copyRedacted(err, secrets, 0);
}

function copyRedacted(
  err: unknown,
  secrets: readonly string[],
  depth: number,
): Error {
  if (!(err instanceof Error)) {
    return new Error(redactText(String(err), secrets));
  }
  const cause = err.cause !== undefined && depth < 5
    ? copyRedacted(err.cause, secrets, depth + 1)
    : undefined;
  const copy = new Error(
    redactText(err.message, secrets),
    cause ? { cause } : undefined,
  );
  copy.name = err.name;
  if (err.stack !== undefined) copy.stack = redactText(err.stack, secrets);
  return copy;
}
