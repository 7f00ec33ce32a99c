import assert from "node:assert/strict";
import {
  cronMatches,
  CronSyntaxError,
  latestCronTime,
  nextCronTime,
  parseCron,
} from "@pipeline/schedule/cron.ts";

const at = (iso: string) => new Date(iso);

Deno.test("parseCron() reads numbers, ranges, steps and lists", async (t) => {
  const cases: [string, keyof ReturnType<typeof parseCron>, number[]][] = [
    ["5 * * * *", "minutes", [5]],
    ["*/15 * * * *", "minutes", [0, 15, 30, 45]],
    ["0 9-17/4 * * *", "hours", [9, 13, 17]],
    ["0 0 1,15 * *", "days", [1, 15]],
    ["0 0 * * 1-5", "weekdays", [1, 2, 3, 4, 5]],
    ["0 0 * * 7", "weekdays", [0]],
    ["10/20 * * * *", "minutes", [10, 30, 50]],
  ];
  for (const [expr, field, values] of cases) {
    await t.step(`${expr} -> ${field}`, () => {
      assert.deepEqual(
        [...(parseCron(expr)[field] as Set<number>)].sort((a, b) => a - b),
        values,
      );
    });
  }
});

Deno.test("parseCron() names the bad field", async (t) => {
  const cases: [string, RegExp][] = [
    ["* * * *", /expected 5 fields/],
    ["60 * * * *", /minute "60" is outside 0-59/],
    ["* 24 * * *", /hour "24" is outside 0-23/],
    ["* * 0 * *", /day of month "0" is outside 1-31/],
    ["* * * 13 *", /month "13" is outside 1-12/],
    ["*/0 * * * *", /minute "\*\/0" has a zero step/],
    ["5-1 * * * *", /backwards range/],
    ["MON * * * *", /is not a number/],
  ];
  for (const [expr, message] of cases) {
    await t.step(expr, () => {
      assert.throws(() => parseCron(expr), (err: Error) => {
        assert.ok(err instanceof CronSyntaxError);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

Deno.test("nextCronTime() finds the next occurrence in UTC", async (t) => {
  const cases: [string, string, string][] = [
    ["5 * * * *", "2026-11-20T09:05:00Z", "2026-11-20T10:05:00.000Z"],
    ["5 * * * *", "2026-11-20T09:04:59Z", "2026-11-20T09:05:00.000Z"],
    ["* * * * *", "2026-11-20T09:05:30Z", "2026-11-20T09:06:00.000Z"],
    ["30 3 * * *", "2026-12-31T04:00:00Z", "2027-01-01T03:30:00.000Z"],
    ["0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
    // both day fields restricted: either matches (the 13th or a Friday)
    ["0 12 13 * 5", "2026-11-14T00:00:00Z", "2026-11-20T12:00:00.000Z"],
  ];
  for (const [expr, after, next] of cases) {
    await t.step(`${expr} after ${after}`, () => {
      assert.equal(
        nextCronTime(parseCron(expr), at(after))?.toISOString(),
        next,
      );
    });
  }
  assert.equal(nextCronTime(parseCron("0 0 31 2 *"), at("2026-01-01")), null);
});

Deno.test("latestCronTime() names the occurrence a firing belongs to", async (t) => {
  const cases: [string, string, string][] = [
    ["5 * * * *", "2026-11-20T09:05:00.400Z", "2026-11-20T09:05:00.000Z"],
    ["5 * * * *", "2026-11-20T09:04:59Z", "2026-11-20T08:05:00.000Z"],
    ["* * * * *", "2026-11-20T09:05:59.999Z", "2026-11-20T09:05:00.000Z"],
    ["30 3 * * *", "2027-01-01T03:00:00Z", "2026-12-31T03:30:00.000Z"],
    ["0 0 1 * *", "2026-03-15T00:00:00Z", "2026-03-01T00:00:00.000Z"],
  ];
  for (const [expr, firedAt, occurrence] of cases) {
    await t.step(`${expr} at ${firedAt}`, () => {
      const got = latestCronTime(parseCron(expr), at(firedAt));
      assert.equal(got?.toISOString(), occurrence);
      assert.ok(cronMatches(parseCron(expr), got!));
    });
  }
});
