/**
 * The prices page's granularity follows its range; the unfinished session
 * is the one trading at the server's "now".
 */
import assert from "node:assert/strict";
import { granularityFor } from "@pipeline/serve/prices_query.ts";
import { openSessionStart, unfinishedFrom } from "@pipeline/serve/session.ts";

Deno.test("granularity: 1m for a day, 5m up to a week, 1h up to a quarter, then 1d", () => {
  const widths = [1, 2, 7, 8, 92, 93, 400].map((d) => granularityFor(d).label);
  assert.deepEqual(widths, ["1m", "5m", "5m", "1h", "1h", "1d", "1d"]);
  assert.equal(granularityFor(3).table, "bars_5m");
});

Deno.test("the session trading now: opened, not yet closed, a trading day", () => {
  const open = openSessionStart(new Date("2026-11-20T18:00:00Z"));
  assert.equal(open?.toISOString(), "2026-11-20T14:30:00.000Z");
  assert.equal(openSessionStart(new Date("2026-11-20T21:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-20T14:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-21T18:00:00Z")), undefined);
  assert.equal(openSessionStart(new Date("2026-11-26T18:00:00Z")), undefined);
  const now = new Date("2026-11-20T18:00:00Z");
  assert.equal(
    unfinishedFrom(new Date("2026-11-20T17:59:00Z"), now)?.toISOString(),
    "2026-11-20T14:30:00.000Z",
  );
  assert.equal(
    unfinishedFrom(new Date("2026-11-19T20:59:00Z"), now),
    undefined,
  );
});
