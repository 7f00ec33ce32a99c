/**
 * A streamed page: its start is readable before the rest is drawn; the
 * rest follows; a failure after the start ends the page with a message.
 */
import assert from "node:assert/strict";
import { streamedPage } from "@pipeline/serve/streamed_page.ts";

const decoder = new TextDecoder();

Deno.test("streamedPage() sends the start before the rest is drawn", async () => {
  const { promise, resolve } = Promise.withResolvers<string>();
  const reader = streamedPage("<p>start", promise, String).getReader();
  const first = await reader.read();
  assert.equal(decoder.decode(first.value), "<p>start");
  resolve("<p>start</p><p>rest</p>");
  const second = await reader.read();
  assert.equal(decoder.decode(second.value), "</p><p>rest</p>");
  assert.equal((await reader.read()).done, true);
});

Deno.test("streamedPage() ends a failed page with the failure, escaped", async () => {
  const body = streamedPage(
    "<p>start",
    Promise.reject(new Error("no <bars>")),
    (err) => (err as Error).message,
  );
  const text = await new Response(body).text();
  assert.match(text, /^<p>start<p class="message">/);
  assert.match(text, /could not be drawn: no &lt;bars&gt;<\/p>/);
});

Deno.test("streamedPage() says so when the page does not begin with its start", async () => {
  const text = await new Response(
    streamedPage("<p>a", Promise.resolve("<p>b"), String),
  ).text();
  assert.match(text, /^<p>a<p class="message">.*changed while it was sent/);
});
