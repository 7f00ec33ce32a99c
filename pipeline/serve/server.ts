/**
 * The dashboard's HTTP handler: routes, sign-in, security headers (a
 * content security policy allowing only this origin, no framing, no
 * sniffing), GET and HEAD only (plus the sign-in POST), a clear message
 * with 400/404/503 when a page cannot be drawn, never a stack trace.
 * @module
 */
import { parseHTML } from "linkedom";
import type { Clock } from "@pipeline/clock.ts";
import { systemClock } from "@pipeline/clock.ts";
import { errorMessage } from "@pipeline/errors.ts";
import { redactSecrets } from "@pipeline/ops/secrets.ts";
import {
  cookieValue,
  sameText,
  SESSION_COOKIE,
  sessionCookie,
  sessionValue,
} from "@pipeline/serve/auth.ts";
import { escapeHtml, layout, messagePage } from "@pipeline/serve/html.ts";
import { catalogStamp, closeCatalogs } from "@pipeline/serve/catalog.ts";
import { PageCache } from "@pipeline/serve/page_cache.ts";
import { createLiveHub, type LiveHub } from "@pipeline/serve/live.ts";
import { type ServeOptions, warehouseLabel } from "@pipeline/serve/options.ts";
import { PageError } from "@pipeline/serve/page_error.ts";
import { pricesPage } from "@pipeline/serve/pages/prices.ts";
import { qualityPage } from "@pipeline/serve/pages/quality.ts";
import { runPage } from "@pipeline/serve/pages/run.ts";
import { runsPage } from "@pipeline/serve/pages/runs.ts";
import { warehousePage } from "@pipeline/serve/pages/warehouse.ts";
import type { PageHandler, PageRequest } from "@pipeline/serve/request.ts";
import { staticFile } from "@pipeline/serve/static.ts";
import { streamedPage } from "@pipeline/serve/streamed_page.ts";

/** The content security policy of every response. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** The pages by path. */
const PAGES: Readonly<Record<string, PageHandler>> = {
  "/prices": pricesPage,
  "/runs": runsPage,
  "/quality": qualityPage,
  "/warehouse": warehousePage,
};

/** A dashboard: its handler and its live hub. */
export interface Dashboard {
  handler(request: Request): Promise<Response>;
  hub: LiveHub;
  close(): void;
}

/** Options of {@link createDashboard} beyond the serve settings. */
export interface DashboardDeps {
  clock?: Clock;
  /** Where unexpected failures are reported. Default stderr. */
  warn?: (message: string) => void;
  /** Milliseconds between checks of the catalogue. Default 1000. */
  intervalMs?: number;
}

function respond(
  body: string | ReadableStream<Uint8Array> | null,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return new Response(body, {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function signInForm(next: string, failed: boolean): string {
  return layout({
    title: "Sign in",
    live: false,
    body: `<form class="signin" method="post" action="/signin">
${failed ? `<p class="message">Wrong token.</p>` : ""}
<label>Dashboard token <input type="password" name="token" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit">Sign in</button></form>`,
  });
}

/** A local path to go back to after signing in; `/` otherwise. */
export function safeNext(next: string | null | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : "/";
}

/** The dashboard of `options`. */
export function createDashboard(
  options: ServeOptions,
  deps: DashboardDeps = {},
): Dashboard {
  const { clock = systemClock, warn = (m) => console.error(m) } = deps;
  const hub = createLiveHub({
    dataDir: options.dataDir,
    ...(deps.intervalMs !== undefined ? { intervalMs: deps.intervalMs } : {}),
  });
  const warehouse = warehouseLabel(options.databaseUrl, options.dataDir);
  const secrets = [options.token, options.databaseUrl].filter((
    s,
  ): s is string => !!s);
  const { document } = parseHTML("<a></a>") as unknown as {
    document: Document;
  };
  const session = options.token ? sessionValue(options.token) : undefined;

  async function signedIn(request: Request): Promise<boolean> {
    if (!session) return true;
    const value = cookieValue(request.headers.get("cookie"), SESSION_COOKIE);
    return value !== undefined && sameText(value, await session);
  }

  async function signIn(request: Request): Promise<Response> {
    if (!options.token) return respond(null, 303, { location: "/" });
    const length = Number(request.headers.get("content-length") ?? "0");
    if (length > 4096) {
      return respond(messagePage("Sign in", "Too large."), 413);
    }
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return respond(signInForm("/", true), 400);
    }
    const next = safeNext(String(form.get("next") ?? "/"));
    const token = String(form.get("token") ?? "");
    if (!sameText(token, options.token)) {
      return respond(signInForm(next, true), 401);
    }
    return respond(null, 303, {
      location: next,
      "set-cookie": sessionCookie(await session!),
    });
  }

  const cache = new PageCache();

  /** What a page that failed unexpectedly says (and the log). */
  function failureMessage(err: unknown): string {
    const message = redactSecrets(errorMessage(err), secrets);
    warn(`serve: a page failed: ${message}`);
    return message.split("\n")[0]!.slice(0, 300);
  }

  async function page(
    url: URL,
    draw: (early: (start: string) => void) => Promise<string>,
  ): Promise<Response> {
    try {
      // A page is a function of its URL, the catalogue file and the minute
      // (the unfinished session): the open pages refreshing after one live
      // event share one render.
      const stamp = await catalogStamp(options.dataDir);
      const key = stamp === undefined
        ? undefined
        : `${url.pathname}${url.search}\n${stamp}\n${
          Math.floor(clock.now().getTime() / 60_000)
        }`;
      const cached = key === undefined ? undefined : cache.get(key);
      if (cached !== undefined) return respond(cached, 200);
      let sendStart: (start: string) => void = () => {};
      const started = new Promise<{ start: string }>((resolve) => {
        sendStart = (start) => resolve({ start });
      });
      const html = draw((start) => sendStart(start)).then((html) => {
        if (key !== undefined) cache.set(key, html);
        return html;
      });
      const first = await Promise.race([
        html.then((html) => ({ html })),
        started,
      ]);
      if ("html" in first) return respond(first.html, 200);
      return respond(streamedPage(first.start, html, failureMessage), 200);
    } catch (err) {
      if (err instanceof PageError) {
        return respond(messagePage("Not available", err.message), err.status);
      }
      return respond(
        messagePage(
          "Not available",
          `The page could not be drawn: ${failureMessage(err)}`,
        ),
        500,
      );
    }
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/signin") {
      if (request.method === "POST") return await signIn(request);
      return respond(
        signInForm(safeNext(url.searchParams.get("next")), false),
        200,
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return respond(
        messagePage("Not allowed", "This dashboard only reads."),
        405,
        {
          allow: "GET, HEAD",
        },
      );
    }
    if (path.startsWith("/static/")) {
      const file = await staticFile(path);
      return file
        ? respond(file.body, 200, {
          "content-type": file.type,
          "cache-control": "no-cache",
        })
        : respond(messagePage("Not found", "No such file."), 404);
    }
    if (!await signedIn(request)) {
      if (path === "/events") {
        return respond("sign in first", 401, { "content-type": "text/plain" });
      }
      return respond(null, 303, {
        location: `/signin?next=${encodeURIComponent(path + url.search)}`,
      });
    }
    if (path === "/") return respond(null, 302, { location: "/prices" });
    if (path === "/events") {
      return respond(hub.stream(), 200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
      });
    }
    const pageRequest: PageRequest = {
      url,
      dataDir: options.dataDir,
      clock,
      document,
      warehouse,
    };
    const handler = PAGES[path];
    if (handler) {
      return await page(url, (early) => handler({ ...pageRequest, early }));
    }
    const run = /^\/runs\/([^/]+)$/.exec(path);
    if (run) {
      return await page(
        url,
        (early) =>
          runPage({ ...pageRequest, early }, decodeURIComponent(run[1]!)),
      );
    }
    return respond(messagePage("Not found", `No page at ${path}.`), 404);
  }

  return {
    async handler(request) {
      const response = await route(request);
      if (request.method === "HEAD") {
        await response.body?.cancel();
        return new Response(null, {
          status: response.status,
          headers: response.headers,
        });
      }
      return response;
    },
    hub,
    close: () => {
      hub.close();
      closeCatalogs();
    },
  };
}
