import assert from "node:assert/strict";
import {
  backoffDelay,
  parseRetryAfter,
} from "@pipeline/extract/http/backoff.ts";

Deno.test("backoffDelay() draws uniformly below a doubling, capped ceiling", async (t) => {
  const cases: [number, number, number][] = [
    // attempt, random, expected (base 100, cap 1000)
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [5, 0.999, 999],
    [10, 0.999, 999],
    [3, 0, 0],
  ];
  for (const [attempt, r, expected] of cases) {
    await t.step(`attempt ${attempt}, random ${r} → ${expected} ms`, () => {
      assert.equal(
        backoffDelay({
          attempt,
          baseDelayMs: 100,
          maxDelayMs: 1_000,
          random: () => r,
        }),
        expected,
      );
    });
  }
});

Deno.test("parseRetryAfter() reads seconds or an HTTP date, else undefined", async (t) => {
  const now = new Date("2026-11-22T12:00:00Z");
  const cases: [string | null, number | undefined][] = [
    ["120", 120_000],
    [" 3 ", 3_000],
    ["1.5", 1_500],
    ["Sun, 22 Nov 2026 12:00:10 GMT", 10_000],
    ["0", undefined],
    ["-5", undefined],
    ["Sun, 22 Nov 2026 11:00:00 GMT", undefined],
    ["soon", undefined],
    ["12abc", undefined],
    ["", undefined],
    [null, undefined],
  ];
  for (const [value, expected] of cases) {
    await t.step(`${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(parseRetryAfter(value, now), expected);
    });
  }
});
