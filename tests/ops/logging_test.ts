import assert from "node:assert/strict";
import {
  createLogger,
  formatLogLine,
  parseLogLine,
} from "@pipeline/ops/logging.ts";
import { fixedClock } from "@pipeline/clock.ts";

const clock = fixedClock("2026-11-22T05:05:00Z");
const RUN = "1b2c3d4e-0000-4000-8000-000000000001";

Deno.test("createLogger() json: one object per line with the run id on every line", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "json",
    clock,
    write: (l) => lines.push(l),
  })
    .child({ run_id: RUN });
  log.info("extract: 390 rows");
  log.child({ attempt: 2 }).warn("retrying", { delay_ms: 500 });
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [
    {
      ts: "2026-11-22T05:05:00.000Z",
      level: "info",
      msg: "extract: 390 rows",
      run_id: RUN,
    },
    {
      ts: "2026-11-22T05:05:00.000Z",
      level: "warn",
      msg: "retrying",
      run_id: RUN,
      attempt: 2,
      delay_ms: 500,
    },
  ]);
  assert.equal(parseLogLine(lines[1]!)?.fields.attempt, 2);
});

Deno.test("createLogger() text: readable, short run id, fields as key=value", () => {
  const lines: string[] = [];
  createLogger({ clock, write: (l) => lines.push(l) }).child({ run_id: RUN })
    .error("load failed", { stage: "load", note: "two words" });
  assert.deepEqual(lines, [
    '2026-11-22T05:05:00.000Z ERROR [run 1b2c3d4e] load failed stage=load note="two words"',
  ]);
});

Deno.test("createLogger() removes secrets and drops lines below its level", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "json",
    clock,
    secrets: ["sk-live-123456"],
    level: "info",
    write: (l) => lines.push(l),
  });
  log.debug("not shown");
  log.error("bad key sk-live-123456 for postgres://u:pw@h/db");
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes("sk-live-123456"));
  assert.ok(!lines[0]!.includes(":pw@"));
});

Deno.test("parseLogLine() returns null for anything but a logger's JSON line", () => {
  for (
    const line of [
      "plain text",
      "{not json",
      '{"msg":"no level"}',
      formatLogLine(
        { at: new Date(0), level: "info", msg: "x", fields: {} },
        "text",
      ),
    ]
  ) assert.equal(parseLogLine(line), null, line);
});
