/**
 * Sign-in for a dashboard reachable beyond this machine: with
 * `SLUICE_DASHBOARD_TOKEN` set, every page asks for the token once (a form
 * posted to `/signin`), then a session cookie (HttpOnly, SameSite=Strict)
 * carries an HMAC of the token, never the token itself.
 * @module
 */

/** The session cookie's name. */
export const SESSION_COOKIE = "sluice_session";

const encoder = new TextEncoder();

/** The cookie value for `token`: hex HMAC-SHA-256 of a fixed label. */
export async function sessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    encoder.encode("sluice dashboard session"),
  );
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Compares two strings in time independent of where they differ. */
export function sameText(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/** The value of cookie `name` in a `Cookie` header. */
export function cookieValue(
  header: string | null,
  name: string,
): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The `Set-Cookie` header of a session. */
export function sessionCookie(value: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict`;
}

/** Whether `host` only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost" ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
}
