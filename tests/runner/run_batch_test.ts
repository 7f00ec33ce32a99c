/**
 * The stage runner on its own, as a stream consumer would call it per
 * micro-batch: the caller's work commits in the batch's load transaction,
 * told what the quality gate decided, or rolls back with it.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import {
  type BatchInput,
  type BatchOptions,
  newRunSummary,
  runBatch,
} from "@pipeline/runner/mod.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { collectFinalized } from "@pipeline/ops/collect_garbage.ts";
import { barsDataset } from "@pipeline/datasets/bars/mod.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import type { Progress } from "@pipeline/ops/progress.ts";

const clock = fixedClock("2026-11-20T21:30:00Z");

/** One session of AAPL, defects included. */
const raw = () =>
  syntheticBars({ clock, symbols: ["AAPL"], sessions: 1, seed: 7 });

/** Records a run (checks belong to one); returns its id. */
async function startRun(client: SqlClient): Promise<string> {
  const summary = newRunSummary({
    runId: crypto.randomUUID(),
    pipeline: "test",
    source: "stream",
    trigger: "manual",
    startedAt: clock.now(),
  });
  await recordRunStart(client, summary);
  return summary.run_id;
}

/** One micro-batch of a stream (`input`, else a new one), `within` its load. */
async function streamBatch(
  client: SqlClient,
  runId: string,
  within: BatchOptions["within"],
  input: BatchInput = { raw: raw() },
) {
  return await runBatch(input, {
    dataset: barsDataset,
    source: "stream",
    pipeline: "test",
    runId,
    dataDir: await Deno.makeTempDir(),
    snapshot: false,
    within,
  }, { client, clock });
}

async function count(client: SqlClient, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return rows[0]!.n;
}

dbTest(
  "runBatch() commits the caller's work in the load's transaction, told what the gate decided",
  async (db) => {
    await db.client.exec(
      "CREATE TABLE offsets (seq int PRIMARY KEY, rows int, quarantined int)",
    );
    const runId = await startRun(db.client);
    const batch = await streamBatch(db.client, runId, async (tx, gate) => {
      await tx.query("INSERT INTO offsets VALUES (1, $1, $2)", [
        gate.rows,
        gate.quarantined,
      ]);
    });
    assert.deepEqual(batch.stages.map((s) => s.stage), [
      "validate",
      "transform",
      "quality",
      "load",
    ]);
    const { extracted, loaded, quarantined, duplicates } = batch.counts;
    assert.equal(extracted, loaded + quarantined + duplicates);
    assert.deepEqual(
      (await db.client.query("SELECT seq, rows, quarantined FROM offsets"))
        .rows,
      [{ seq: 1, rows: loaded, quarantined }],
    );
    assert.equal(
      await count(db.client, "SELECT count(*)::int AS n FROM bars_1m"),
      loaded,
    );
    assert.equal(batch.checks?.blocked.length, 0);
    assert.equal(batch.dates.length, 1);
  },
);

dbTest(
  "runBatch() loads nothing when the caller's work in the load fails",
  async (db) => {
    const runId = await startRun(db.client);
    await assert.rejects(
      streamBatch(
        db.client,
        runId,
        () => Promise.reject(new Error("sequence went backwards")),
      ),
      (err) =>
        err instanceof EtlError && err.stage === "load" &&
        /sequence went backwards/.test(err.message),
    );
    assert.equal(
      await count(db.client, "SELECT count(*)::int AS n FROM bars_1m"),
      0,
    );
    assert.equal(
      await count(db.client, "SELECT count(*)::int AS n FROM quarantine"),
      0,
    );
    const { rows } = await db.client.query<{ status: string }>(
      "SELECT status FROM etl_loads WHERE run_id = $1",
      [runId],
    );
    assert.deepEqual(rows, [{ status: "failed" }]);
  },
);

dbTest(
  "runBatch() moves the load and snapshot bars while those stages run, not only at their end",
  async (db) => {
    const runId = await startRun(db.client);
    const dataDir = await Deno.makeTempDir();
    // What happened, in order: bars' advances (n > 0), the load's commit
    // and the lake debt's clearing (the snapshot's last step).
    const events: string[] = [];
    const inner = db.client;
    const client: SqlClient = {
      kind: inner.kind,
      query(sql, params) {
        if (sql.includes("DELETE FROM etl_lake_debt")) {
          events.push("debt cleared");
        }
        return inner.query(sql, params);
      },
      exec: (sql) => inner.exec(sql),
      copyFrom: (sql, data) => inner.copyFrom(sql, data),
      copyTo: (sql) => inner.copyTo(sql),
      copyToFile: (sql, path) => inner.copyToFile(sql, path),
      async transaction(fn) {
        const out = await inner.transaction(fn);
        events.push("committed");
        return out;
      },
      close: () => inner.close(),
    };
    const progress: Progress = {
      live: true,
      log() {},
      start(label) {
        return {
          advance(n = 1) {
            if (n > 0) events.push(`${label} +${n}`);
          },
          setTotal: (n) => void events.push(`${label} total ${n}`),
          done: () => void events.push(`${label} done`),
        };
      },
    };
    try {
      const batch = await runBatch({ raw: raw() }, {
        dataset: barsDataset,
        source: "stream",
        pipeline: "test",
        runId,
        dataDir,
      }, { client, clock, progress });
      const load = batch.stages.find((s) => s.stage === "load")!;
      const snap = batch.stages.find((s) => s.stage === "snapshot")!;
      const at = (event: string) => events.indexOf(event);
      const loadRows = events.filter((e) => e.startsWith("load +"));
      assert.ok(loadRows.length > 0, events.join(", "));
      assert.ok(
        at(loadRows[0]!) < at("committed"),
        `the load bar moved inside the transaction: ${events.join(", ")}`,
      );
      const snapRows = events.filter((e) => e.startsWith("snapshot +"));
      assert.ok(snapRows.length > 0, events.join(", "));
      assert.ok(
        at(snapRows[0]!) < at("debt cleared"),
        `the snapshot bar moved before its last step: ${events.join(", ")}`,
      );
      const sum = (list: string[]) =>
        list.reduce((n, e) => n + Number(e.split("+")[1]), 0);
      assert.equal(sum(loadRows), load.rows_in);
      assert.equal(sum(snapRows), snap.rows_out);
      assert.ok(at("snapshot done") > at("debt cleared"));
      // Its total, counted before it writes, is what it wrote (an ETA).
      const totals = events.filter((e) => e.startsWith("snapshot total "));
      assert.deepEqual(totals, [`snapshot total ${snap.rows_out}`]);
      assert.ok(at(totals[0]!) < at(snapRows[0]!), events.join(", "));
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "runBatch() takes the frame out of its input, so the raw rows can be collected before the load",
  async ({ client }) => {
    const runId = await startRun(client);
    const input: BatchInput = { raw: raw() };
    const held = new WeakRef((input as { raw: object }).raw);
    let seenAtLoad: boolean | undefined;
    const report = await streamBatch(client, runId, () => {
      seenAtLoad = "raw" in input;
      return Promise.resolve();
    }, input);
    assert.equal(report.committed, true);
    assert.equal(seenAtLoad, false, "the input still held the raw frame");
    // Nothing else keeps it: a collection frees it.
    await collectFinalized();
    if ((globalThis as { gc?: () => void }).gc) {
      assert.equal(held.deref(), undefined, "the raw frame is still held");
    }
  },
);
