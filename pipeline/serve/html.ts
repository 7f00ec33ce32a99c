/**
 * HTML of the dashboard: escaping, the page layout (navigation, the
 * stylesheet and the one script, no inline code so a strict content
 * security policy holds) and Plot's figures made CSP-safe (their `<style>`
 * elements moved to `/static/plot.css`, `style` attributes dropped).
 * @module
 */

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text ?? "").replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ]!,
  );
}

/** The CSS Plot puts in its `<style>` elements, collected as charts render. */
const PLOT_CSS = new Set<string>();

/** Every Plot stylesheet seen so far, for `/static/plot.css`. */
export function plotCss(): string {
  return [...PLOT_CSS].join("\n");
}

/**
 * The outer HTML of a Plot figure or SVG with its `<style>` elements moved
 * to {@link plotCss} and its `style` attributes removed.
 */
export function chartHtml(element: Element): string {
  for (const style of [...element.querySelectorAll("style")]) {
    PLOT_CSS.add(style.textContent ?? "");
    style.remove();
  }
  element.removeAttribute("style");
  for (const styled of [...element.querySelectorAll("[style]")]) {
    styled.removeAttribute("style");
  }
  return element.outerHTML;
}

/** The pages in the navigation, in order. */
export const NAV: readonly (readonly [string, string])[] = [
  ["/prices", "Prices"],
  ["/runs", "Runs"],
  ["/quality", "Quality"],
  ["/warehouse", "Warehouse"],
];

/** Options of {@link layout}. */
export interface LayoutOptions {
  title: string;
  /** The navigation entry to highlight (`/prices`). */
  active?: string;
  /** The page's body. */
  body: string;
  /** Whether the page listens for live updates. Default true. */
  live?: boolean;
}

/** A whole page. */
export function layout(options: LayoutOptions): string {
  const { title, active, body, live = true } = options;
  const nav = NAV.map(([href, label]) =>
    `<a href="${href}"${href === active ? ' class="active"' : ""}>${label}</a>`
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sluice</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
<link rel="stylesheet" href="/static/plot.css">
<script src="/static/app.js" defer></script>
</head><body${live ? ' data-live="on"' : ""}>
<header><strong>Sluice</strong><nav>${nav}</nav><span id="live-status"></span></header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

/** A page saying why there is nothing to show. */
export function messagePage(title: string, message: string): string {
  return layout({
    title,
    body: `<p class="message">${escapeHtml(message)}</p>`,
    live: false,
  });
}

/** An HTML table of `rows` over `columns` (`[key, heading]`), escaped. */
export function htmlTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly (readonly [string, string])[],
  options: { link?: (row: Record<string, unknown>) => string | undefined } = {},
): string {
  if (rows.length === 0) return `<p class="empty">none</p>`;
  const head = columns.map(([, h]) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((row) => {
    const href = options.link?.(row);
    const cells = columns.map(([key], i) => {
      const text = escapeHtml(row[key] ?? "");
      return `<td>${
        i === 0 && href ? `<a href="${escapeHtml(href)}">${text}</a>` : text
      }</td>`;
    }).join("");
    return `<tr>${cells}</tr>`;
  }).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
