import assert from "node:assert/strict";
import { retryDelayMs, withRetries } from "@pipeline/ops/retry.ts";

Deno.test("retryDelayMs() doubles, jitters within [c/2, c) and caps", async (t) => {
  const cases: [number, number, number][] = [
    // attempt, random, expected (base 1000, max 10 000)
    [1, 0, 500],
    [1, 0.999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [5, 0, 5000],
    [9, 0.5, 7500],
  ];
  for (const [attempt, r, expected] of cases) {
    await t.step(`attempt ${attempt}, random ${r}`, () => {
      assert.equal(
        retryDelayMs({ attempt, baseMs: 1000, maxMs: 10_000, random: () => r }),
        expected,
      );
    });
  }
});

Deno.test("withRetries() retries failures up to the count, then stops", async () => {
  const waits: number[] = [];
  const seen: number[] = [];
  const { result, attempts } = await withRetries({
    policy: { retries: 2, baseMs: 100, maxMs: 1000 },
    random: () => 0,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    attempt: (n) => {
      seen.push(n);
      return Promise.resolve({ retry: true, n });
    },
  });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(waits, [50, 100]);
  assert.equal(attempts, 3);
  assert.equal(result.n, 3);
});

Deno.test("withRetries() stops at a success, and when its signal aborts", async () => {
  const ok = await withRetries({
    policy: { retries: 5, baseMs: 1, maxMs: 1 },
    sleep: () => Promise.resolve(),
    attempt: (n) => Promise.resolve({ retry: n < 2 }),
  });
  assert.equal(ok.attempts, 2);
  const stop = new AbortController();
  const stopped = await withRetries({
    policy: { retries: 5, baseMs: 1, maxMs: 1 },
    signal: stop.signal,
    sleep: (_ms, signal) => {
      stop.abort();
      return Promise.reject(signal?.reason);
    },
    attempt: () => Promise.resolve({ retry: true }),
  });
  assert.equal(stopped.attempts, 1);
});
