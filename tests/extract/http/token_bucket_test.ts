import assert from "node:assert/strict";
import { fixedClock } from "@pipeline/clock.ts";
import { tokenBucket } from "@pipeline/extract/http/token_bucket.ts";
import { recordingSleep } from "../../fixtures/server.ts";

Deno.test("tokenBucket() lets a burst through, then spaces requests at the rate", async () => {
  const { sleep, waits } = recordingSleep();
  const limiter = tokenBucket({
    requestsPerMinute: 5,
    burst: 2,
    clock: fixedClock("2026-11-22T12:00:00Z"),
    sleep,
  });
  for (let i = 0; i < 5; i++) await limiter.acquire();
  assert.deepEqual(waits, [12_000, 12_000, 12_000]);
});

Deno.test("tokenBucket() refills from the clock", async () => {
  const { sleep, waits } = recordingSleep();
  let now = Date.parse("2026-11-22T12:00:00Z");
  const limiter = tokenBucket({
    requestsPerMinute: 60,
    burst: 1,
    clock: { now: () => new Date(now) },
    sleep,
  });
  await limiter.acquire();
  now += 500; // half a token
  await limiter.acquire();
  now += 5_000; // full again (capped at burst 1)
  await limiter.acquire();
  await limiter.acquire();
  assert.deepEqual(waits, [500, 1_000]);
});

Deno.test("tokenBucket() serves concurrent callers one at a time", async () => {
  const { sleep, waits } = recordingSleep();
  const limiter = tokenBucket({
    requestsPerMinute: 600,
    burst: 1,
    clock: fixedClock("2026-11-22T12:00:00Z"),
    sleep,
  });
  await Promise.all([1, 2, 3, 4].map(() => limiter.acquire()));
  assert.deepEqual(waits, [100, 100, 100]);
});

Deno.test("tokenBucket() rejects an invalid limit", () => {
  assert.throws(
    () =>
      tokenBucket({
        requestsPerMinute: 0,
        burst: 1,
        clock: fixedClock("2026-11-22T12:00:00Z"),
      }),
    RangeError,
  );
});

Deno.test("tokenBucket().acquire() rejects when aborted", async () => {
  const limiter = tokenBucket({
    requestsPerMinute: 1,
    burst: 1,
    clock: fixedClock("2026-11-22T12:00:00Z"),
  });
  await limiter.acquire();
  const controller = new AbortController();
  const pending = limiter.acquire(controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
});
