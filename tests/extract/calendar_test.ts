import assert from "node:assert/strict";
import {
  dayNumber,
  dayToDate,
  isNyseTradingDay,
  nyseHolidays,
  nyseSessions,
  zonedToUtc,
  zoneOffsetMinutes,
} from "@pipeline/extract/calendar.ts";

const dates = (days: Iterable<number>) => [...days].map(dayToDate).sort();

Deno.test("nyseHolidays() lists the ten NYSE holidays of 2026 with observance", () => {
  assert.deepEqual(dates(nyseHolidays(2026)), [
    "2026-01-01", // New Year's Day
    "2026-01-19", // Martin Luther King Jr. Day
    "2026-02-16", // Presidents' Day
    "2026-04-03", // Good Friday
    "2026-05-25", // Memorial Day
    "2026-06-19", // Juneteenth
    "2026-07-03", // Independence Day, observed (July 4 is a Saturday)
    "2026-09-07", // Labor Day
    "2026-11-26", // Thanksgiving
    "2026-12-25", // Christmas
  ]);
});

Deno.test("nyseHolidays() applies the weekend and year rules", async (t) => {
  const cases: {
    name: string;
    year: number;
    has: string[];
    hasNot: string[];
  }[] = [
    {
      name: "New Year on a Saturday is not observed on the Friday before",
      year: 2022,
      has: [],
      hasNot: ["2021-12-31", "2022-01-03"],
    },
    {
      name: "New Year on a Sunday is observed on Monday",
      year: 2023,
      has: ["2023-01-02"],
      hasNot: ["2023-01-01"],
    },
    {
      name: "Christmas on a Sunday is observed on Monday",
      year: 2022,
      has: ["2022-12-26"],
      hasNot: [],
    },
    {
      name: "Juneteenth only from 2022",
      year: 2021,
      has: [],
      hasNot: ["2021-06-18", "2021-06-21"],
    },
    {
      name: "Juneteenth on a Sunday is observed on Monday",
      year: 2022,
      has: ["2022-06-20"],
      hasNot: [],
    },
    { name: "Good Friday 2025", year: 2025, has: ["2025-04-18"], hasNot: [] },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const days = dates(nyseHolidays(c.year));
      for (const d of c.has) assert.ok(days.includes(d), `${d} in ${days}`);
      for (const d of c.hasNot) {
        assert.ok(!days.includes(d), `${d} not in ${days}`);
      }
    });
  }
});

Deno.test("isNyseTradingDay() skips weekends and holidays", () => {
  assert.equal(
    isNyseTradingDay(dayNumber({ year: 2026, month: 11, day: 20 })),
    true,
  ); // Friday
  assert.equal(
    isNyseTradingDay(dayNumber({ year: 2026, month: 11, day: 21 })),
    false,
  ); // Saturday
  assert.equal(
    isNyseTradingDay(dayNumber({ year: 2026, month: 11, day: 22 })),
    false,
  ); // Sunday
  assert.equal(
    isNyseTradingDay(dayNumber({ year: 2026, month: 11, day: 26 })),
    false,
  ); // Thanksgiving
});

Deno.test("zoneOffsetMinutes() follows New York DST", () => {
  assert.equal(zoneOffsetMinutes(Date.parse("2026-01-15T15:00:00Z")), -300);
  assert.equal(zoneOffsetMinutes(Date.parse("2026-07-15T15:00:00Z")), -240);
  // DST starts 2026-03-08 at 02:00 local (07:00Z)
  assert.equal(zoneOffsetMinutes(Date.parse("2026-03-08T06:59:00Z")), -300);
  assert.equal(zoneOffsetMinutes(Date.parse("2026-03-08T07:00:00Z")), -240);
});

Deno.test("zonedToUtc() converts 09:30 New York time on both sides of DST", () => {
  const open = (year: number, month: number, day: number) =>
    new Date(zonedToUtc({ year, month, day, minute: 9 * 60 + 30 }))
      .toISOString();
  assert.equal(open(2026, 3, 6), "2026-03-06T14:30:00.000Z");
  assert.equal(open(2026, 3, 9), "2026-03-09T13:30:00.000Z");
  assert.equal(open(2026, 10, 30), "2026-10-30T13:30:00.000Z");
  assert.equal(open(2026, 11, 2), "2026-11-02T14:30:00.000Z");
});

Deno.test("nyseSessions() returns the last sessions that opened by `until`", async (t) => {
  const cases: {
    name: string;
    until: string;
    count: number;
    expected: string[];
  }[] = [
    {
      name: "after the close includes today",
      until: "2026-11-20T22:00:00Z",
      count: 3,
      expected: ["2026-11-18", "2026-11-19", "2026-11-20"],
    },
    {
      name: "during the session includes today",
      until: "2026-11-20T15:00:00Z",
      count: 1,
      expected: ["2026-11-20"],
    },
    {
      name: "before the open starts yesterday",
      until: "2026-11-20T14:29:59Z",
      count: 1,
      expected: ["2026-11-19"],
    },
    {
      name: "on a weekend ends on Friday, skipping Thanksgiving",
      until: "2026-11-29T12:00:00Z",
      count: 3,
      expected: ["2026-11-24", "2026-11-25", "2026-11-27"],
    },
    {
      name: "late evening New York time is still the same local day",
      until: "2026-11-21T03:00:00Z",
      count: 1,
      expected: ["2026-11-20"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const sessions = nyseSessions({
        until: new Date(c.until),
        count: c.count,
      });
      assert.deepEqual(sessions.map((s) => s.date), c.expected);
    });
  }
});
