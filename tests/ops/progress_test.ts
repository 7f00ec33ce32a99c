import assert from "node:assert/strict";
import {
  noProgress,
  progressFor,
  renderProgress,
  terminalProgress,
} from "@pipeline/ops/progress.ts";

Deno.test("renderProgress() shows label, count and seconds", () => {
  assert.equal(
    renderProgress({
      label: "extract",
      done: 3,
      total: 10,
      elapsedMs: 4200,
      frame: 1,
    }),
    "/ extract 3/10 4.2s",
  );
  assert.equal(
    renderProgress({
      label: "load",
      done: 0,
      total: undefined,
      elapsedMs: 0,
      frame: 0,
    }),
    "| load 0.0s",
  );
});

Deno.test("progressFor() is silent when stderr is not a terminal or logs are JSON", () => {
  assert.equal(progressFor({ isTerminal: false, format: "text" }), noProgress);
  assert.equal(progressFor({ isTerminal: true, format: "json" }), noProgress);
  assert.notEqual(
    progressFor({ isTerminal: true, format: "text" }),
    noProgress,
  );
});

Deno.test("terminalProgress() clears its line when a task ends", () => {
  const out: string[] = [];
  const p = terminalProgress({ write: (t) => out.push(t), intervalMs: 60_000 });
  const task = p.start("extract", 2);
  task.advance();
  task.done();
  p.clear();
  assert.deepEqual(out, [], "nothing drawn before the first interval");
});
