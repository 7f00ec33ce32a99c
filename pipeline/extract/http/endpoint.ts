/**
 * Request URLs from a configurable base URL.
 * @module
 */

/**
 * `path` under `baseUrl` (keeping any path the base has) with `query`
 * appended in the order given. Throws TypeError for an invalid base.
 *
 * @example
 * ```ts
 * import { endpoint } from "@pipeline/extract/http/endpoint.ts";
 * endpoint("https://finnhub.io/api/v1", "stock/candle", { symbol: "IBM" }).href;
 * // "https://finnhub.io/api/v1/stock/candle?symbol=IBM"
 * ```
 */
export function endpoint(
  baseUrl: string,
  path: string,
  query: Record<string, string> = {},
): URL {
  const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const url = new URL(path.replace(/^\/+/, ""), base);
  for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
  return url;
}

/** Whether `text` is an absolute http(s) URL. */
export function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}
