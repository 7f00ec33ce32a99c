import assert from "node:assert/strict";
import {
  latestSessionMinute,
  nyseSessionMinutes,
} from "@pipeline/quality/nyse_minutes.ts";

Deno.test("nyseSessionMinutes() counts session minutes in a window", async (t) => {
  const cases: [string, string, string, number][] = [
    ["one full session", "2026-11-20T14:30:00Z", "2026-11-20T20:59:00Z", 390],
    ["a whole UTC day", "2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z", 390],
    ["the first hour", "2026-11-20T14:30:00Z", "2026-11-20T15:29:00Z", 60],
    ["one minute", "2026-11-20T14:30:00Z", "2026-11-20T14:30:00Z", 1],
    ["a weekend", "2026-11-21T00:00:00Z", "2026-11-22T23:59:00Z", 0],
    [
      "a week with Thanksgiving",
      "2026-11-23T00:00:00Z",
      "2026-11-27T23:59:00Z",
      4 * 390,
    ],
    [
      "summer time opens 13:30Z",
      "2026-07-01T13:30:00Z",
      "2026-07-01T19:59:00Z",
      390,
    ],
    [
      "two sessions and the first hour of a third",
      "2026-11-18T14:30:00Z",
      "2026-11-20T15:29:00Z",
      2 * 390 + 60,
    ],
  ];
  for (const [name, start, end, want] of cases) {
    await t.step(name, () => {
      assert.equal(
        nyseSessionMinutes({ start: new Date(start), end: new Date(end) }),
        want,
      );
    });
  }
});

Deno.test("latestSessionMinute() is the newest minute a bar can have", async (t) => {
  const cases: [string, string, string][] = [
    [
      "during a session: now's minute",
      "2026-11-20T15:00:30Z",
      "2026-11-20T15:00:00.000Z",
    ],
    [
      "after the close: 15:59 New York",
      "2026-11-20T23:00:00Z",
      "2026-11-20T20:59:00.000Z",
    ],
    [
      "on a Sunday: Friday's last minute",
      "2026-11-22T12:00:00Z",
      "2026-11-20T20:59:00.000Z",
    ],
    [
      "before the open: yesterday's",
      "2026-11-20T14:00:00Z",
      "2026-11-19T20:59:00.000Z",
    ],
  ];
  for (const [name, now, want] of cases) {
    await t.step(name, () => {
      assert.equal(latestSessionMinute(new Date(now)).toISOString(), want);
    });
  }
});
