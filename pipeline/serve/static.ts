/**
 * The dashboard's static files: its script and stylesheet (files next to
 * this module, read once) and Plot's stylesheet (collected from the
 * charts drawn, see `chartHtml`).
 * @module
 */
import { plotCss } from "@pipeline/serve/html.ts";

const FILES: Readonly<Record<string, readonly [string, string]>> = {
  "/static/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/static/app.css": ["app.css", "text/css; charset=utf-8"],
};

const cache = new Map<string, string>();

/** The static file at `path`, or undefined. */
export async function staticFile(
  path: string,
): Promise<{ body: string; type: string } | undefined> {
  if (path === "/static/plot.css") {
    return { body: plotCss(), type: "text/css; charset=utf-8" };
  }
  const entry = FILES[path];
  if (!entry) return undefined;
  const [name, type] = entry;
  if (!cache.has(name)) {
    cache.set(
      name,
      await Deno.readTextFile(new URL(`./static/${name}`, import.meta.url)),
    );
  }
  return { body: cache.get(name)!, type };
}
