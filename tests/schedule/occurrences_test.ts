import assert from "node:assert/strict";
import { cronCadence, everyCadence } from "@pipeline/schedule/cadence.ts";
import {
  missedOccurrences,
  type MissedPolicy,
  planMissed,
} from "@pipeline/schedule/occurrences.ts";

const hourly = cronCadence("5 * * * *");
const iso = (ds: Date[]) => ds.map((d) => d.toISOString().slice(11, 16));

Deno.test("planMissed() applies each missed-run policy to an outage", async (t) => {
  // Last recorded 09:05, down until 12:30: 10:05, 11:05, 12:05 were missed.
  const cases: [MissedPolicy, number, string[], string[]][] = [
    ["skip", 24, [], ["10:05", "11:05", "12:05"]],
    ["once", 24, ["12:05"], ["10:05", "11:05"]],
    ["all", 24, ["10:05", "11:05", "12:05"], []],
    ["all", 2, ["11:05", "12:05"], []],
    ["skip", 2, [], ["11:05", "12:05"]],
  ];
  for (const [policy, cap, run, skip] of cases) {
    await t.step(`${policy} (cap ${cap})`, () => {
      const plan = planMissed({
        cadence: hourly,
        last: new Date("2026-11-20T09:05:00Z"),
        now: new Date("2026-11-20T12:30:00Z"),
        policy,
        cap,
      });
      assert.deepEqual(iso(plan.run), run);
      assert.deepEqual(iso(plan.skip), skip);
      assert.equal(plan.total, 3);
    });
  }
});

Deno.test("planMissed() misses nothing for a job that never ran or is up to date", () => {
  for (
    const last of [null, new Date("2026-11-20T12:05:00Z")]
  ) {
    const plan = planMissed({
      cadence: hourly,
      last,
      now: new Date("2026-11-20T12:30:00Z"),
      policy: "all",
      cap: 24,
    });
    assert.deepEqual(plan, { run: [], skip: [], total: 0 });
  }
});

Deno.test("planMissed() counts an occurrence due exactly now as missed", () => {
  const plan = planMissed({
    cadence: hourly,
    last: new Date("2026-11-20T11:05:00Z"),
    now: new Date("2026-11-20T12:05:00Z"),
    policy: "once",
    cap: 24,
  });
  assert.deepEqual(iso(plan.run), ["12:05"]);
});

Deno.test("planMissed() treats interrupted occurrences as missed", () => {
  const plan = planMissed({
    cadence: hourly,
    last: new Date("2026-11-20T10:05:00Z"),
    interrupted: [new Date("2026-11-20T10:05:00Z")],
    now: new Date("2026-11-20T11:30:00Z"),
    policy: "all",
    cap: 24,
  });
  assert.deepEqual(iso(plan.run), ["10:05", "11:05"]);
  assert.equal(plan.total, 2);
});

Deno.test("missedOccurrences() keeps the latest and counts a long outage", () => {
  const { times, total } = missedOccurrences(cronCadence("* * * * *"), {
    after: new Date("2026-11-01T00:00:00Z"),
    until: new Date("2026-11-08T00:00:00Z"),
    keep: 3,
  });
  assert.equal(total, 7 * 1440);
  assert.deepEqual(iso(times), ["23:58", "23:59", "00:00"]);
});

Deno.test("everyCadence() steps at multiples of its interval", () => {
  const c = everyCadence(2000);
  assert.equal(
    c.next(new Date("2026-11-20T00:00:01.500Z"))?.toISOString(),
    "2026-11-20T00:00:02.000Z",
  );
  assert.equal(
    c.latest(new Date("2026-11-20T00:00:03.999Z"))?.toISOString(),
    "2026-11-20T00:00:02.000Z",
  );
  assert.throws(() => everyCadence(0), /positive integer/);
});
