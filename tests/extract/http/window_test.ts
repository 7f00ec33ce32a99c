import assert from "node:assert/strict";
import {
  chunkWindow,
  formatInstant,
  formatWindow,
  inWindow,
  isoSeconds,
  TimeWindowSchema,
} from "@pipeline/extract/http/window.ts";

const w = (start: string, end: string) => ({
  start: new Date(start),
  end: new Date(end),
});

Deno.test("chunkWindow() cuts [start, end) into consecutive chunks", () => {
  const chunks = chunkWindow(w("2026-11-01", "2026-11-17"), { days: 7 });
  assert.deepEqual(chunks.map(formatWindow), [
    "2026-11-01..2026-11-08",
    "2026-11-08..2026-11-15",
    "2026-11-15..2026-11-17",
  ]);
  assert.throws(
    () => chunkWindow(w("2026-11-01", "2026-11-02"), { days: 0 }),
    RangeError,
  );
});

Deno.test("formatInstant() is short at midnight, precise otherwise", () => {
  assert.equal(formatInstant(new Date("2026-11-01T00:00:00Z")), "2026-11-01");
  assert.equal(
    formatInstant(new Date("2026-11-01T09:30:00Z")),
    "2026-11-01T09:30Z",
  );
  assert.equal(
    formatInstant(new Date("2026-11-01T09:30:15Z")),
    "2026-11-01T09:30:15Z",
  );
});

Deno.test("inWindow() is half-open and isoSeconds() drops zero milliseconds", () => {
  const win = w("2026-11-01", "2026-11-02");
  assert.equal(inWindow(win, Date.parse("2026-11-01T00:00:00Z")), true);
  assert.equal(inWindow(win, Date.parse("2026-11-02T00:00:00Z")), false);
  assert.equal(
    isoSeconds(Date.parse("2026-11-01T14:30:00Z")),
    "2026-11-01T14:30:00Z",
  );
});

Deno.test("TimeWindowSchema rejects an end not after start", () => {
  const r = TimeWindowSchema.safeParse({
    start: "2026-11-02",
    end: "2026-11-01",
  });
  assert.equal(r.success, false);
});
