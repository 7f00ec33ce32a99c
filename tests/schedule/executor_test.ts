/**
 * The process executor with a stand-in for `main.ts run` (a tiny script
 * speaking its protocol), so exit codes, signals and log relaying are
 * checked in well under a second per run.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dbTest } from "../_db.ts";
import { systemClock } from "@pipeline/clock.ts";
import { createLogger } from "@pipeline/ops/logging.ts";
import {
  processExecutor,
  type RunOutcome,
} from "@pipeline/schedule/executor.ts";

const FAKE = fileURLToPath(new URL("./_fake_run.ts", import.meta.url));
const AT = new Date("2026-11-22T05:05:00Z");

function executor(
  client: import("@pipeline/load/client.ts").SqlClient,
  mode: string,
  onSpawn?: (info: { pid: number }) => void,
) {
  const lines: string[] = [];
  const exec = processExecutor({
    runArgs: ["--symbols", "AAPL"],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      FAKE_RUN: mode,
    },
    source: "synthetic",
    client,
    clock: systemClock,
    logger: createLogger({ format: "json", write: (l) => lines.push(l) }),
    mainModule: FAKE,
    ...(onSpawn ? { onSpawn } : {}),
  });
  return { exec, lines };
}

const request = (signal = new AbortController().signal) => ({
  pipeline: "synthetic",
  runId: crypto.randomUUID(),
  attempt: 2,
  scheduledFor: AT,
  signal,
});

dbTest(
  "processExecutor() maps the child's exit to an outcome",
  async (db, t) => {
    const cases: [string, RunOutcome["status"], RegExp | null][] = [
      ["ok", "succeeded", null],
      ["fail", "failed", /\[load\] connection lost during COPY/],
      ["usage", "usage", /run exited with status 2/],
      ["locked", "locked", /another run of pipeline/],
      ["crash", "failed", /run process exited with status 70/],
    ];
    for (const [mode, status, error] of cases) {
      await t.step(`${mode} -> ${status}`, async () => {
        const { exec, lines } = executor(db.client, mode);
        const req = request();
        const out = await exec.run(req);
        assert.equal(out.status, status);
        assert.equal(out.runId, req.runId);
        if (error) assert.match(out.error ?? "", error);
        else assert.equal(out.error, null);
        const relayed = lines.map((l) => JSON.parse(l));
        assert.ok(
          relayed.every((l) => l.run_id === req.runId),
          "every relayed line carries the run id",
        );
        assert.ok(
          relayed.some((l) =>
            /fake run attempt 2 for 2026-11-22T05:05:00.000Z/.test(l.msg)
          ),
          "the child got --attempt and --scheduled-for",
        );
      });
    }
  },
);

dbTest(
  "processExecutor() records a killed child as a failed run, and SIGTERMs it on stop",
  async (db, t) => {
    await t.step(
      "killed with SIGKILL: failed, and the crash is in etl_runs",
      async () => {
        const { exec } = executor(db.client, "hang", ({ pid }) => {
          setTimeout(() => Deno.kill(pid, "SIGKILL"), 0);
        });
        const req = request();
        const out = await exec.run(req);
        assert.equal(out.status, "failed");
        assert.equal(out.error, "run process killed by SIGKILL");
        const { rows } = await db.client.query(
          "SELECT status, error, trigger, attempt FROM etl_runs WHERE run_id = $1",
          [req.runId],
        );
        assert.deepEqual(rows, [{
          status: "failed",
          error: "run process killed by SIGKILL",
          trigger: "schedule",
          attempt: 2,
        }]);
      },
    );
    await t.step(
      "stop: the child gets SIGTERM and the attempt is interrupted",
      async () => {
        const stop = new AbortController();
        const { exec, lines } = executor(db.client, "hang");
        const running = exec.run(request(stop.signal));
        while (!lines.some((l) => l.includes("load: waiting"))) {
          await new Promise((r) => setTimeout(r, 20));
        }
        stop.abort(new Error("SIGTERM"));
        const out = await running;
        assert.equal(out.status, "interrupted");
        assert.ok(lines.some((l) => l.includes("SIGTERM received")));
      },
    );
  },
);
