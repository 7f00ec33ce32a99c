/**
 * A page sent in two parts: its start (head, navigation, pickers) as soon
 * as the page knows it, so the browser paints it and fetches the
 * stylesheets and script while the server still draws the charts; then the
 * rest. A failure after the start has gone can no longer change the status:
 * the page ends with a message saying what failed.
 * @module
 */
import { escapeHtml } from "@pipeline/serve/html.ts";

/**
 * The body of a page whose HTML will be `html` and begins with `start`:
 * `start` at once, the rest when `html` resolves; when it rejects, a message
 * made by `failure` from the error.
 */
export function streamedPage(
  start: string,
  html: Promise<string>,
  failure: (err: unknown) => string,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // Handled here, whenever the stream is read.
  html.catch(() => {});
  // A HEAD request or a reader going away cancels the stream: nothing more
  // is sent then.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(start));
      let rest: string;
      try {
        const page = await html;
        rest = page.startsWith(start)
          ? page.slice(start.length)
          : failedPart("the page changed while it was sent");
      } catch (err) {
        rest = failedPart(failure(err));
      }
      if (cancelled) return;
      controller.enqueue(encoder.encode(rest));
      controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
}

function failedPart(message: string): string {
  return `<p class="message">${
    escapeHtml(`The rest of the page could not be drawn: ${message}`)
  }</p></main></body></html>`;
}
