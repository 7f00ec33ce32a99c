/**
 * No overlapping runs: the pipeline's advisory lock, across sessions and
 * across real processes (a Postgres server: these run when DATABASE_URL is
 * set), and the PGlite directory lock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openTestDatabase, SKIP_SERVER_TESTS } from "../_db.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import {
  advisoryLock,
  lockedMessage,
  runLockKey,
  tryAdvisoryLock,
} from "@pipeline/ops/lock.ts";
import { lockDirectory } from "@pipeline/ops/dir_lock.ts";
import { spawnEtl } from "./_process.ts";

const RUN = ["run", "--symbols", "AAPL", "--sessions", "1", "--no-snapshot"];

Deno.test({
  name:
    "tryAdvisoryLock() is exclusive across sessions and ends with the session [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const db = await openTestDatabase("postgres");
    const other = await connectPostgres(db.url!);
    try {
      const key = runLockKey("synthetic");
      const held = await tryAdvisoryLock(db.client, key);
      assert.ok(held);
      assert.equal(await tryAdvisoryLock(other, key), null);
      assert.ok(
        await tryAdvisoryLock(other, runLockKey("finnhub")),
        "another pipeline has its own lock",
      );
      await held.release();
      const mine = await tryAdvisoryLock(other, key);
      assert.ok(mine, "free once released");
      await other.close();
      assert.ok(
        await tryAdvisoryLock(db.client, key),
        "a closed session (a killed run) leaves no lock behind",
      );
    } finally {
      await other.close().catch(() => {});
      await db.dispose();
    }
  },
});

Deno.test("advisoryLock() with wait polls until the lock is free", async () => {
  let attempts = 0;
  const sql: string[] = [];
  const client = {
    query: (text: string) => {
      sql.push(text);
      return Promise.resolve({
        rows: [{ ok: ++attempts > 2 }],
        rowCount: 1,
      });
    },
  } as unknown as SqlClient;
  const waits: number[] = [];
  let told = 0;
  const lock = await advisoryLock(client, "sluice.run.x", {
    wait: true,
    pollMs: 250,
    onWait: () => void told++,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  assert.ok(lock);
  assert.deepEqual(waits, [250, 250]);
  assert.equal(told, 1);
  await lock.release();
  await lock.release();
  assert.deepEqual(sql.map((s) => s.match(/pg_\w+/)?.[0]), [
    "pg_try_advisory_lock",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock",
    "pg_advisory_unlock",
  ]);
});

Deno.test("lockedMessage() names the pipeline, the holder and --wait", () => {
  assert.equal(
    lockedMessage("synthetic", {
      run_id: "r1",
      pid: 4242,
      host: "etl-1",
      started_at: new Date("2026-11-22T05:05:00Z"),
      trigger: "schedule",
    }),
    'another run of pipeline "synthetic" is in progress (run r1, schedule, ' +
      "started 2026-11-22T05:05:00.000Z by pid 4242 on etl-1); not starting " +
      "a second one (pass --wait to wait for it)",
  );
});

Deno.test({
  name:
    "etl run exits 3 while another process holds the pipeline's lock, and --wait runs once it is released [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const db = await openTestDatabase("postgres");
    const dataDir = await Deno.makeTempDir();
    const env = { DATABASE_URL: db.url! };
    try {
      // This test process is the first "run": it holds the lock.
      const held = await tryAdvisoryLock(db.client, runLockKey("synthetic"));
      assert.ok(held);
      const refused = await spawnEtl([...RUN, "--data-dir", dataDir], { env })
        .done;
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(
        refused.stderr,
        /another run of pipeline "synthetic" is in progress.*--wait/,
      );
      const { rows: none } = await db.client.query(
        "SELECT 1 FROM etl_runs",
      );
      assert.equal(none.length, 0, "the refused run recorded nothing");

      const waiting = spawnEtl([...RUN, "--data-dir", dataDir, "--wait"], {
        env,
      });
      await waiting.waitForLine(/waiting: another run of pipeline "synthetic"/);
      await held.release();
      const ran = await waiting.done;
      assert.equal(ran.code, 0, ran.stderr);
      const { rows } = await db.client.query<{ status: string }>(
        "SELECT status FROM etl_runs",
      );
      assert.deepEqual(rows, [{ status: "succeeded" }]);
    } finally {
      await db.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "two concurrent etl runs of one pipeline never both load [postgres]",
  ignore: SKIP_SERVER_TESTS,
  async fn() {
    const db = await openTestDatabase("postgres");
    const dataDir = await Deno.makeTempDir();
    const args = [
      "run",
      "--symbols",
      "AAPL,MSFT,NVDA,AMZN",
      "--sessions",
      "3",
      "--no-snapshot",
      "--data-dir",
      dataDir,
    ];
    try {
      const env = { DATABASE_URL: db.url! };
      const [a, b] = await Promise.all([
        spawnEtl(args, { env }).done,
        spawnEtl(args, { env }).done,
      ]);
      const codes = [a.code, b.code].sort();
      assert.ok(
        codes[0] === 0 && (codes[1] === 0 || codes[1] === 3),
        `exit codes ${codes}: ${a.stderr}\n${b.stderr}`,
      );
      const { rows } = await db.client.query<
        { started_at: Date; finished_at: Date; status: string }
      >(
        "SELECT started_at, finished_at, status FROM etl_runs ORDER BY started_at",
      );
      assert.equal(rows.length, codes.filter((c) => c === 0).length);
      for (let i = 1; i < rows.length; i++) {
        assert.ok(
          rows[i]!.started_at >= rows[i - 1]!.finished_at,
          "two runs overlapped",
        );
      }
      assert.ok(rows.every((r) => r.status === "succeeded"));
      if (codes[1] === 3) {
        const refused = a.code === 3 ? a : b;
        assert.match(refused.stderr, /another run of pipeline "synthetic"/);
      }
    } finally {
      await db.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("etl run exits 3 when another process has the PGlite directory", async () => {
  const dataDir = await Deno.makeTempDir();
  // This test process plays the other process (a live deno process).
  const lock = lockDirectory(join(dataDir, "pglite"));
  try {
    const r = await spawnEtl([...RUN, "--data-dir", dataDir]).done;
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `PGlite database .*pglite is in use by process ${Deno.pid}.*DATABASE_URL`,
      ),
    );
  } finally {
    lock.release();
    await Deno.remove(dataDir, { recursive: true });
  }
});
