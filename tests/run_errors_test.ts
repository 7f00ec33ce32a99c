/**
 * Runs whose database fails under them: a database lost mid-run and a full
 * disk still end in the normal summary, naming the stage and the cause.
 */
import assert from "node:assert/strict";
import { dbTest } from "./_db.ts";
import { runPipeline } from "@pipeline/run.ts";
import { executeRun } from "@pipeline/ops/execute.ts";
import { sourceFor } from "@pipeline/sources.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { createLogger } from "@pipeline/ops/logging.ts";
import type { SqlClient } from "@pipeline/load/client.ts";

const CLOCK = fixedClock("2026-11-20T22:00:00Z");

/**
 * `client` until `broken.cause` is set, then every call throws it (as a
 * stopped server or a full disk would); transactions run on the wrapper.
 */
function breakable(client: SqlClient) {
  const broken: { cause?: unknown } = {};
  const guard = <T>(fn: () => Promise<T>) => {
    if (broken.cause !== undefined) return Promise.reject(broken.cause);
    return fn();
  };
  const wrapped: SqlClient = {
    kind: client.kind,
    query: (sql, params) => guard(() => client.query(sql, params)),
    exec: (sql) => guard(() => client.exec(sql)),
    copyFrom: (sql, data) => guard(() => client.copyFrom(sql, data)),
    copyTo: (sql) => guard(() => client.copyTo(sql)),
    copyToFile: (sql, path) => guard(() => client.copyToFile(sql, path)),
    transaction: async (fn) => {
      await wrapped.exec("BEGIN");
      try {
        const out = await fn(wrapped);
        await wrapped.exec("COMMIT");
        return out;
      } catch (err) {
        await client.exec("ROLLBACK").catch(() => {});
        throw err;
      }
    },
    close: () => client.close(),
  };
  return { client: wrapped, broken };
}

/** The synthetic source of two symbols, one session. */
async function source(onExtract: () => void) {
  const config = parseRunConfig({ symbols: ["AAA", "BBB"], sessions: 1 });
  const inner = await sourceFor(config, { clock: CLOCK });
  return {
    ...inner,
    partitions: (o?: Parameters<typeof inner.partitions>[0]) =>
      inner.partitions(o).map((p) => ({
        ...p,
        extract: async (signal?: AbortSignal) => {
          const frame = await p.extract(signal);
          onExtract();
          return frame;
        },
      })),
  };
}

dbTest(
  "a database lost mid-run gives the normal summary naming the stage",
  async (db) => {
    const { client, broken } = breakable(db.client);
    const lost = new Error("Connection terminated unexpectedly");
    const dataDir = await Deno.makeTempDir();
    try {
      const outcome = await executeRun({
        pipeline: "synthetic",
        runId: crypto.randomUUID(),
        dataDir,
        snapshot: false,
      }, {
        client,
        clock: CLOCK,
        logger: createLogger({ format: "json", write: () => {} }),
        source: () => source(() => (broken.cause = lost)),
      });
      assert.equal(outcome.status, "failed");
      assert.ok("summary" in outcome && outcome.summary);
      const summary = outcome.summary;
      assert.equal(summary.status, "failed");
      // The first stage after the extract that asks the database.
      assert.ok(
        ["transform", "quality", "load"].includes(summary.error_stage!),
        String(summary.error_stage),
      );
      assert.ok(summary.error!.startsWith(`[${summary.error_stage}`));
      assert.match(summary.error!, /Connection terminated unexpectedly/);
      assert.match(
        summary.error!,
        /cannot record the run in the database: Connection terminated/,
      );
      assert.equal(summary.counts.loaded, 0);
      // What `run --json` prints: valid JSON.
      assert.equal(JSON.parse(JSON.stringify(summary)).run_id, summary.run_id);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

dbTest(
  "a full disk under PGlite says no space left on device, not [object Object]",
  async (db) => {
    const { client, broken } = breakable(db.client);
    const dataDir = await Deno.makeTempDir();
    try {
      const summary = await runPipeline(
        await source(() => (broken.cause = { name: "ErrnoError", errno: 51 })),
        { dataDir, snapshot: false },
        { client, clock: CLOCK },
      ).catch((err) => assert.fail(`runPipeline threw ${err}`));
      assert.equal(summary.status, "failed");
      assert.match(
        summary.error!,
        /^\[(transform|quality|load)\] no space left on device/,
      );
      assert.doesNotMatch(summary.error!, /object Object/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);
