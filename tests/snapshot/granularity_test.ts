import assert from "node:assert/strict";
import {
  coveringPeriods,
  parsePartitionDir,
  periodOf,
  periodsOf,
} from "@pipeline/snapshot/granularity.ts";
import { EtlError } from "@pipeline/errors.ts";

Deno.test("periodOf() gives the day, month or year partition holding a date", async (t) => {
  const cases = [
    ["day", "2026-11-20", "date=2026-11-20", "2026-11-20", "2026-11-21"],
    ["month", "2026-11-20", "month=2026-11", "2026-11-01", "2026-12-01"],
    ["month", "2026-12-31", "month=2026-12", "2026-12-01", "2027-01-01"],
    ["year", "2024-02-29", "year=2024", "2024-01-01", "2025-01-01"],
  ] as const;
  for (const [g, date, dir, start, end] of cases) {
    await t.step(`${g} ${date}`, () => {
      const p = periodOf(date, g);
      assert.deepEqual([p.dir, p.start, p.end], [dir, start, end]);
    });
  }
  assert.throws(
    () => periodOf("2026-02-30", "month"),
    (e: unknown) => e instanceof EtlError && e.stage === "snapshot",
  );
});

Deno.test("periodsOf() makes twenty years of trading days twenty year files", () => {
  const dates: string[] = [];
  for (
    let t = Date.UTC(2006, 0, 2);
    t < Date.UTC(2026, 0, 1);
    t += 86_400_000
  ) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) {
      dates.push(d.toISOString().slice(0, 10));
    }
  }
  assert.ok(dates.length > 5000);
  assert.equal(periodsOf(dates, "year").length, 20);
  assert.equal(periodsOf(dates, "month").length, 240);
  assert.equal(periodsOf(dates.toReversed(), "month")[0]!.dir, "month=2006-01");
});

Deno.test("parsePartitionDir() reads the three layouts and refuses the rest", () => {
  assert.equal(parsePartitionDir("date=2026-11-20")?.granularity, "day");
  assert.equal(parsePartitionDir("month=2026-11")?.start, "2026-11-01");
  assert.equal(parsePartitionDir("year=2026")?.end, "2027-01-01");
  for (const bad of ["date=2026-13-01", "month=2026-1", "year=26", "x=2026"]) {
    assert.equal(parsePartitionDir(bad), null, bad);
  }
});

Deno.test("coveringPeriods() maps a partition onto another granularity", () => {
  const year = parsePartitionDir("year=2025")!;
  assert.equal(coveringPeriods(year, "month").length, 12);
  assert.deepEqual(
    coveringPeriods(parsePartitionDir("date=2025-03-04")!, "year").map((p) =>
      p.dir
    ),
    ["year=2025"],
  );
});
