import assert from "node:assert/strict";
import {
  isValidTimeZone,
  zonedLocalToUtc,
} from "@pipeline/extract/http/zoned_time.ts";

function utc(local: string, zone: string): string | undefined {
  const ms = zonedLocalToUtc(local, zone);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

Deno.test("zonedLocalToUtc() converts US/Eastern across both 2026 DST changes", async (t) => {
  const cases: [string, string | undefined][] = [
    ["2026-03-06 09:30:00", "2026-03-06T14:30:00.000Z"], // EST, UTC-5
    ["2026-03-08 01:59:00", "2026-03-08T06:59:00.000Z"], // last EST minute
    ["2026-03-08 02:30:00", undefined], // skipped hour: does not exist
    ["2026-03-08 03:00:00", "2026-03-08T07:00:00.000Z"], // first EDT minute
    ["2026-03-09 09:30:00", "2026-03-09T13:30:00.000Z"], // EDT, UTC-4
    ["2026-10-30 16:00:00", "2026-10-30T20:00:00.000Z"], // EDT
    ["2026-11-01 00:59:00", "2026-11-01T04:59:00.000Z"], // EDT
    ["2026-11-01 01:30:00", "2026-11-01T05:30:00.000Z"], // repeated hour: first (EDT)
    ["2026-11-01 02:00:00", "2026-11-01T07:00:00.000Z"], // EST
    ["2026-11-02 09:30:00", "2026-11-02T14:30:00.000Z"], // EST, UTC-5
    ["2026-11-02 09:30", "2026-11-02T14:30:00.000Z"], // no seconds
  ];
  for (const [local, expected] of cases) {
    await t.step(`${local} → ${expected}`, () => {
      assert.equal(utc(local, "US/Eastern"), expected);
    });
  }
});

Deno.test("zonedLocalToUtc() handles other zones and rejects malformed times", async (t) => {
  await t.step("UTC is identity", () => {
    assert.equal(utc("2026-11-02 09:30:00", "UTC"), "2026-11-02T09:30:00.000Z");
  });
  await t.step("Europe/Berlin repeated hour reads as CEST", () => {
    assert.equal(
      utc("2026-10-25 02:30:00", "Europe/Berlin"),
      "2026-10-25T00:30:00.000Z",
    );
  });
  for (
    const bad of [
      "2026-02-30 10:00:00",
      "2026-11-02 24:00:00",
      "11/02/2026 09:30",
      "",
    ]
  ) {
    await t.step(`malformed ${JSON.stringify(bad)}`, () => {
      assert.equal(zonedLocalToUtc(bad, "US/Eastern"), undefined);
    });
  }
  await t.step("unknown zone throws", () => {
    assert.throws(
      () => zonedLocalToUtc("2026-11-02 09:30:00", "Mars/Base"),
      RangeError,
    );
  });
});

Deno.test("isValidTimeZone() knows IANA names and links", () => {
  assert.equal(isValidTimeZone("US/Eastern"), true);
  assert.equal(isValidTimeZone("America/New_York"), true);
  assert.equal(isValidTimeZone("Eastern Standard"), false);
});
