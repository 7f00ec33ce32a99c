/**
 * The dashboard's settings, checked at the edge: where it listens, the data
 * folder, the sign-in token (required on any host but the loopback) and
 * NATS for the stream's load notices.
 * @module
 */
import { redactSecrets } from "@pipeline/ops/secrets.ts";
import { isLoopback } from "@pipeline/serve/auth.ts";

/** The settings of a dashboard server. */
export interface ServeOptions {
  dataDir: string;
  host: string;
  port: number;
  /** `SLUICE_DASHBOARD_TOKEN`: when set, pages need signing in. */
  token?: string | undefined;
  /** `NATS_URL`: when set, the stream's load notices are live events. */
  natsUrl?: string | undefined;
  /** The warehouse, as configured (a URL, or undefined for PGlite). */
  databaseUrl?: string | undefined;
}

/** The default port. */
export const DEFAULT_PORT = 8080;
/** The default host: this machine only. */
export const DEFAULT_HOST = "127.0.0.1";
/** The environment variable holding the sign-in token. */
export const TOKEN_ENV = "SLUICE_DASHBOARD_TOKEN";

/**
 * Checks `options`.
 * @throws Error when the host is not the loopback and no token is set, or
 *   the token is too short to be a secret.
 */
export function checkServeOptions(options: ServeOptions): ServeOptions {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(
      `serve: --host ${options.host} exposes the dashboard beyond this machine: set ${TOKEN_ENV} (sign-in token) first, or keep --host ${DEFAULT_HOST}`,
    );
  }
  if (options.token !== undefined && options.token.length < 12) {
    throw new Error(`serve: ${TOKEN_ENV} must be at least 12 characters`);
  }
  if (
    !Number.isInteger(options.port) || options.port < 0 || options.port > 65535
  ) {
    throw new Error(`serve: --port must be 0 to 65535, got ${options.port}`);
  }
  return options;
}

/** The warehouse as the pages may show it: never a password. */
export function warehouseLabel(
  databaseUrl: string | undefined,
  dataDir: string,
): string {
  if (!databaseUrl) return `PGlite (embedded) in ${dataDir}/pglite`;
  try {
    const url = new URL(databaseUrl);
    url.password = "";
    url.search = "";
    return redactSecrets(url.toString());
  } catch {
    return "a Postgres server (its URL does not parse; not shown)";
  }
}
