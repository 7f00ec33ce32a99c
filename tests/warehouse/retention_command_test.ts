import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { bars } from "./_fixtures.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { BARS_1M } from "@pipeline/load/bars.ts";
import { upsertFrame } from "@pipeline/load/upsert.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { createLogger } from "@pipeline/ops/logging.ts";
import { listPartitions } from "@pipeline/warehouse/partitions.ts";
import {
  retentionCommand,
  type RetentionCommandOptions,
  retentionJob,
} from "@pipeline/warehouse/retention_command.ts";

const NOW = fixedClock("2026-11-20T21:00:00Z");
const EXIT = { ok: 0, failed: 1, usage: 2 };

async function seed(client: SqlClient): Promise<void> {
  await client.transaction((tx) =>
    upsertFrame(
      tx,
      BARS_1M,
      bars(["AAPL"], ["2026-08-03T14:30:00Z", "2026-11-19T14:30:00Z"]),
      { loadId: crypto.randomUUID() },
    )
  );
}

/** Runs the command with console.log captured; returns code, stdout, log lines. */
async function run(
  client: SqlClient,
  dataDir: string,
  flags: Partial<RetentionCommandOptions>,
) {
  const lines: string[] = [], out: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  try {
    const code = await retentionCommand({
      client,
      dataDir,
      dryRun: false,
      json: false,
      clock: NOW,
      logger: createLogger({ format: "text", write: (l) => lines.push(l) }),
      exit: EXIT,
      ...flags,
    });
    return { code, stdout: out.join("\n"), log: lines.join("") };
  } finally {
    console.log = log;
  }
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sluice-retention-cmd-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

dbTest(
  "retentionCommand() --table of an unknown table exits 2 naming the tables",
  (db) =>
    inTempDir(async (dir) => {
      const r = await run(db.client, dir, { table: "bars_2m" });
      assert.equal(r.code, 2);
      assert.match(
        r.log,
        /--table: "bars_2m" is not a partitioned table; expected one of bars_1d, bars_1h, bars_1m, bars_5m, weather_hourly/,
      );
    }),
);

dbTest(
  "retentionCommand() --dry-run prints the plan, then a run archives and prints JSON",
  (db) =>
    inTempDir(async (dir) => {
      await seed(db.client);
      const plan = await run(db.client, dir, {
        olderThanMs: 45 * 86_400_000,
        table: "bars_1m",
        dryRun: true,
      });
      assert.equal(plan.code, 0, plan.log);
      const lines = plan.stdout.split("\n");
      assert.match(lines[0]!, /\(dry run: nothing was changed\)$/);
      assert.equal(
        lines[1],
        "bars_1m: partitions ending by 2026-10-06T21:00:00.000Z (older than 45 days)",
      );
      assert.match(
        lines[2]!,
        /^ {2}bars_1m_p2026_08 +2026-08-01 \.\. 2026-09-01 +1 rows {2}would-archive$/,
      );
      assert.match(lines.at(-1)!, /^2 partition\(s\), 1 rows would move/);
      assert.equal(
        (await listPartitions(db.client, "bars_1m")).length,
        6,
        "nothing dropped",
      );

      const done = await run(db.client, dir, {
        olderThanMs: 45 * 86_400_000,
        table: "bars_1m",
        json: true,
      });
      assert.equal(done.code, 0, done.log);
      const json = JSON.parse(done.stdout);
      assert.equal(json.dry_run, false);
      assert.deepEqual(json.errors, []);
      assert.deepEqual(
        json.tables[0].partitions.map((
          p: { partition: string; rows: number; files: string[] },
        ) => [p.partition, p.rows, p.files.length]),
        [
          ["bars_1m_p2026_08", 1, 1],
          ["bars_1m_p2026_09", 0, 0],
        ],
      );
      assert.deepEqual(
        (await listPartitions(db.client, "bars_1m")).map((p) => p.name),
        [
          "bars_1m_p2026_10",
          "bars_1m_p2026_11",
          "bars_1m_p2026_12",
          "bars_1m_default",
        ],
      );
    }),
);

dbTest(
  "retentionJob() is a no-op while no table has a retention age, then archives the configured ones",
  (db) =>
    inTempDir(async (dataDir) => {
      await seed(db.client);
      const job = retentionJob({ client: db.client, dataDir, clock: NOW });
      const idle = await job.run({ runId: crypto.randomUUID() });
      assert.equal(idle.status, "noop");
      assert.match(idle.message, /^retention not configured/);

      await db.client.exec(
        "UPDATE etl_partitioning SET retention = '2 months' WHERE table_name = 'bars_1m'",
      );
      const runId = crypto.randomUUID();
      const done = await job.run({ runId });
      assert.deepEqual(done, {
        status: "succeeded",
        message: "1 partition(s), 1 rows moved to the lake (bars_1m_p2026_08)",
      });
      const { rows } = await db.client.query<{ run_id: string }>(
        "SELECT run_id::text FROM etl_retention",
      );
      assert.deepEqual(rows, [{ run_id: runId }]);
    }),
);
