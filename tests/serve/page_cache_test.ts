/** The page cache keeps the most recently used pages, up to its size. */
import assert from "node:assert/strict";
import { PageCache } from "@pipeline/serve/page_cache.ts";

Deno.test("PageCache drops the least recently used page beyond its size", () => {
  const cache = new PageCache(2);
  cache.set("a", "A");
  cache.set("b", "B");
  assert.equal(cache.get("a"), "A");
  cache.set("c", "C");
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("a"), "A");
  assert.equal(cache.get("c"), "C");
  cache.set("a", "A2");
  assert.equal(cache.get("a"), "A2");
});
