/**
 * The stage timer's bar: counts the stage reports while it runs, clamped
 * to the bar's total, and the rest when it ends.
 */
import assert from "node:assert/strict";
import { stageTimer } from "@pipeline/runner/stage_timer.ts";
import type { Progress, ProgressStartOptions } from "@pipeline/ops/progress.ts";

/** A fake display logging starts, advances and ends in order. */
function recording() {
  const events: string[] = [];
  const starts: (ProgressStartOptions & { label: string })[] = [];
  const progress: Progress = {
    live: true,
    log() {},
    start(label, options = {}) {
      starts.push({ label, ...options });
      return {
        advance: (n = 1) => void events.push(`advance ${n}`),
        setTotal: (n) => void events.push(`total ${n}`),
        done: () => void events.push("done"),
      };
    },
  };
  return { events, starts, progress };
}

Deno.test("stageTimer() advances the bar as the stage reports rows, before it ends", async () => {
  const { events, starts, progress } = recording();
  const timed = stageTimer({ onStage() {}, runId: "r", progress });
  const out = await timed("load", 10, (onRows) => {
    onRows(4);
    events.push("still running");
    onRows(4);
    return 9;
  }, (n) => n);
  assert.equal(out, 9);
  assert.deepEqual(starts, [{ label: "load", total: 10 }]);
  assert.deepEqual(events, [
    "advance 4",
    "still running",
    "advance 4",
    "advance 2", // the rows it did not report, at its end
    "done",
  ]);
});

Deno.test("stageTimer() never counts past the bar's total", async () => {
  const { events, progress } = recording();
  const timed = stageTimer({ onStage() {}, runId: "r", progress });
  await timed("load", 5, (onRows) => {
    onRows(3);
    onRows(3);
    onRows(3);
  }, () => 5);
  assert.deepEqual(events, ["advance 3", "advance 2", "done"]);
});

Deno.test("stageTimer() with total false shows no total and counts every row reported", async () => {
  const { events, starts, progress } = recording();
  const timed = stageTimer({ onStage() {}, runId: "r", progress });
  await timed(
    "snapshot",
    5,
    (onRows) => {
      onRows(30);
      onRows(12);
      return 42;
    },
    (n) => n,
    { total: false },
  );
  assert.deepEqual(starts, [{ label: "snapshot" }]);
  assert.deepEqual(events, ["advance 30", "advance 12", "done"]);
});

Deno.test("stageTimer() takes a total the stage gives once it knows it, and clamps to it", async () => {
  const { events, starts, progress } = recording();
  const timed = stageTimer({ onStage() {}, runId: "r", progress });
  await timed(
    "snapshot",
    4,
    (onRows, onTotal) => {
      onRows(2);
      onTotal?.(10);
      onRows(5);
      onRows(5);
    },
    () => 10,
    { total: false },
  );
  assert.deepEqual(starts, [{ label: "snapshot" }]);
  assert.deepEqual(events, [
    "advance 2",
    "total 10",
    "advance 5",
    "advance 3", // clamped to the total given
    "done",
  ]);
});

Deno.test("stageTimer() hands no onTotal when nothing is drawn (no count for nobody)", async () => {
  const timed = stageTimer({ onStage() {}, runId: "r" });
  const given = await timed(
    "snapshot",
    0,
    (_onRows, onTotal) => onTotal,
    () => 0,
  );
  assert.equal(given, undefined);
});
