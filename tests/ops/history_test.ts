import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { markAbandonedRuns, recordRunCrash } from "@pipeline/ops/history.ts";

const T0 = new Date("2026-11-22T05:05:00Z");
const T1 = new Date("2026-11-22T05:06:00Z");

async function insertRun(
  client: import("@pipeline/load/client.ts").SqlClient,
  id: string,
  pipeline: string,
  status: string,
) {
  await client.query(
    `INSERT INTO etl_runs (run_id, pipeline, source, started_at, status)
     VALUES ($1, $2, 'synthetic', $3, $4)`,
    [id, pipeline, T0, status],
  );
}

const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

dbTest(
  "markAbandonedRuns() fails the running rows of one pipeline only",
  async (db) => {
    await insertRun(db.client, id(1), "synthetic", "running");
    await insertRun(db.client, id(2), "synthetic", "succeeded");
    await insertRun(db.client, id(3), "other", "running");
    assert.deepEqual(
      await markAbandonedRuns(db.client, { pipeline: "synthetic", now: T1 }),
      [id(1)],
    );
    const { rows } = await db.client.query<{ run_id: string; status: string }>(
      "SELECT run_id::text AS run_id, status FROM etl_runs ORDER BY run_id",
    );
    assert.deepEqual(rows.map((r) => r.status), [
      "failed",
      "succeeded",
      "running",
    ]);
  },
);

dbTest(
  "recordRunCrash() fails a running row, writes a missing one, keeps a finished one",
  async (db) => {
    await insertRun(db.client, id(1), "synthetic", "running");
    await insertRun(db.client, id(2), "synthetic", "succeeded");
    for (const n of [1, 2, 3]) {
      await recordRunCrash(db.client, {
        runId: id(n),
        pipeline: "synthetic",
        source: "synthetic",
        trigger: "schedule",
        attempt: 2,
        scheduledFor: T0,
        startedAt: T0,
        finishedAt: T1,
        error: "run process killed by SIGKILL",
      });
    }
    const { rows } = await db.client.query(
      `SELECT status, error, trigger, attempt FROM etl_runs ORDER BY run_id`,
    );
    assert.deepEqual(rows, [
      {
        status: "failed",
        error: "run process killed by SIGKILL",
        trigger: "manual",
        attempt: 1,
      },
      { status: "succeeded", error: null, trigger: "manual", attempt: 1 },
      {
        status: "failed",
        error: "run process killed by SIGKILL",
        trigger: "schedule",
        attempt: 2,
      },
    ]);
  },
);
