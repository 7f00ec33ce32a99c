import assert from "node:assert/strict";
import {
  formatDuration,
  noProgress,
  progressFor,
  renderBar,
  terminalProgress,
} from "@pipeline/ops/progress.ts";

Deno.test("renderBar() shows units, rows, rate and ETA, then the time taken", async (t) => {
  const base = {
    label: "extract",
    done: 3,
    total: 10,
    unit: "partitions",
    rows: 1170,
    elapsedMs: 1500,
    finished: false,
  };
  await t.step("running, partitions", () =>
    assert.equal(
      renderBar(base),
      "extract   [████░░░░░░░░░░] 3/10 partitions | 1,170 rows | 780 rows/s | ETA 4s",
    ));
  await t.step("finished, rows", () =>
    assert.equal(
      renderBar({
        ...base,
        label: "load",
        unit: "rows",
        done: 11686,
        total: 11686,
        rows: 11686,
        elapsedMs: 250,
        finished: true,
      }),
      "load      [██████████████] 11,686/11,686 rows | 46,744 rows/s | 0.3s",
    ));
  await t.step("nothing done yet", () =>
    assert.equal(
      renderBar({ ...base, done: 0, rows: 0, elapsedMs: 0, total: undefined }),
      "extract   [░░░░░░░░░░░░░░] 0 partitions | 0 rows | ETA ?",
    ));
});

Deno.test("formatDuration() reads as seconds, minutes or hours", () => {
  assert.equal(formatDuration(4_400), "4s");
  assert.equal(formatDuration(65_000), "1m05s");
  assert.equal(formatDuration(7_380_000), "2h03m");
});

Deno.test("progressFor() is silent when the output is not a terminal or logs are JSON", () => {
  assert.equal(progressFor({ isTerminal: false, format: "text" }), noProgress);
  assert.equal(progressFor({ isTerminal: true, format: "json" }), noProgress);
  assert.equal(noProgress.live, false);
  const live = progressFor({
    isTerminal: true,
    format: "text",
    stream: { isTTY: true, write: () => {} },
  });
  assert.notEqual(live, noProgress);
  assert.equal(live.live, true);
});

Deno.test("terminalProgress() draws one bar per stage with cli-progress, leaves each finished bar as a line, and logs above them", () => {
  const out: string[] = [];
  let clock = 0;
  const p = terminalProgress({
    stream: { isTTY: true, columns: 160, write: (t) => out.push(t) },
    now: () => clock,
  });
  const extract = p.start("extract", { total: 2, unit: "partitions" });
  extract.advance(1, 390);
  clock = 1000;
  p.log("extract: partition MSFT failed: offline");
  extract.advance(1, 0);
  extract.done();
  const load = p.start("load", { total: 390 });
  clock = 1500;
  load.advance(390);
  load.done();
  // deno-lint-ignore no-control-regex
  const text = out.join("").replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, "");
  assert.match(text, /extract: partition MSFT failed: offline\n/);
  assert.match(
    text,
    /extract {3}\[█{14}\] 2\/2 partitions \| 390 rows \| 390 rows\/s \| 1\.0s/,
  );
  assert.match(
    text,
    /load {6}\[█{14}\] 390\/390 rows \| 780 rows\/s \| 0\.5s/,
  );
});

Deno.test("terminalProgress() draws nothing on a stream that is not a TTY", () => {
  const out: string[] = [];
  const p = terminalProgress({
    stream: { isTTY: false, write: (t) => out.push(t) },
  });
  const task = p.start("load", { total: 5 });
  task.advance(5);
  task.done();
  assert.deepEqual(out, []);
  assert.equal(p.live, false);
});

Deno.test("terminalProgress() takes a total given after the start: the bar then shows it and an ETA", async () => {
  const out: string[] = [];
  let clock = 0;
  const p = terminalProgress({
    stream: { isTTY: true, columns: 160, write: (t) => out.push(t) },
    fps: 50,
    now: () => clock,
  });
  const snapshot = p.start("snapshot");
  snapshot.setTotal(1000);
  clock = 1000;
  snapshot.advance(250);
  // One redraw while it runs (cli-progress draws on its timer).
  await new Promise((resolve) => setTimeout(resolve, 100));
  clock = 2000;
  snapshot.advance(750);
  snapshot.done();
  // deno-lint-ignore no-control-regex
  const text = out.join("").replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, "");
  assert.match(
    text,
    /snapshot {2}\[█{4}░{10}\] 250\/1,000 rows \| 250 rows\/s \| ETA 3s/,
  );
  assert.match(
    text,
    /snapshot {2}\[█{14}\] 1,000\/1,000 rows \| 500 rows\/s \| 2\.0s/,
  );
});
