import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import {
  claimOccurrence,
  finishOccurrence,
  interruptedOccurrences,
  lastOccurrence,
  markInterrupted,
  recordAttempt,
  recordNotRun,
} from "@pipeline/schedule/state.ts";

const T = (hh: string) => new Date(`2026-11-22T${hh}:05:00Z`);
const now = new Date("2026-11-22T12:30:00Z");
const job = { pipeline: "synthetic", job: "etl" };

dbTest(
  "occurrence state: the key (pipeline, job, time) makes each occurrence run once",
  async (db, t) => {
    const c = db.client;
    await t.step(
      "a claim inserts the row; a second claim of the key is refused",
      async () => {
        assert.equal(await lastOccurrence(c, job), null);
        const key = { ...job, scheduledFor: T("10"), claimedBy: "a", now };
        assert.equal(await claimOccurrence(c, key), true);
        assert.equal(
          await claimOccurrence(c, { ...key, claimedBy: "b" }),
          false,
        );
        assert.equal(
          await claimOccurrence(c, { ...key, job: "retention" }),
          true,
          "another job has its own key",
        );
        await recordAttempt(c, {
          ...key,
          attempts: 2,
          runId: "00000000-0000-4000-8000-000000000001",
        });
        await finishOccurrence(c, { ...key, status: "succeeded", now });
        await finishOccurrence(c, {
          ...key,
          job: "retention",
          status: "noop",
          now,
        });
        assert.equal(
          await claimOccurrence(c, key),
          false,
          "finished stays done",
        );
        const { rows } = await c.query(
          `SELECT status, attempts, run_id::text AS run_id, claimed_by
       FROM etl_schedule_occurrences WHERE job = 'etl'`,
        );
        assert.deepEqual(rows, [{
          status: "succeeded",
          attempts: 2,
          run_id: "00000000-0000-4000-8000-000000000001",
          claimed_by: "a",
        }]);
      },
    );
    await t.step(
      "running rows of a dead scheduler become interrupted and can be claimed again",
      async () => {
        const key = { ...job, scheduledFor: T("11"), claimedBy: "a", now };
        assert.equal(await claimOccurrence(c, key), true);
        assert.equal(
          await markInterrupted(c, { ...job, reason: "died", now }),
          1,
        );
        assert.deepEqual(await interruptedOccurrences(c, job), [T("11")]);
        assert.equal(
          await claimOccurrence(c, { ...key, claimedBy: "b" }),
          true,
        );
        assert.deepEqual(await interruptedOccurrences(c, job), []);
      },
    );
    await t.step(
      "recordNotRun() records skipped occurrences once and turns interrupted ones skipped",
      async () => {
        const skip = {
          ...job,
          scheduledFor: T("12"),
          status: "skipped" as const,
          reason: "missed",
          claimedBy: "b",
          now,
        };
        assert.equal(await recordNotRun(c, skip), true);
        assert.equal(await recordNotRun(c, skip), false);
        await markInterrupted(c, { ...job, reason: "died", now });
        assert.equal(
          await recordNotRun(c, { ...skip, scheduledFor: T("11") }),
          true,
        );
        assert.deepEqual(await interruptedOccurrences(c, job), []);
        assert.deepEqual(await lastOccurrence(c, job), T("12"));
      },
    );
  },
);
