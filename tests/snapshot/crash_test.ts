/**
 * The snapshot's crash tests: a real `etl run` process loses its snapshot
 * after the load committed, by SIGKILL, by the Postgres server stopping, or
 * by a full disk under the lake (a small tmpfs). Each time the lake debt
 * stays recorded, and one more ordinary run (or `etl snapshot`) ends with
 * the lake equal to the warehouse for every table: row counts and a content
 * fingerprint read from Parquet through DuckDB and from Postgres, and the
 * DuckDB catalog in step.
 *
 * The snapshot is stopped at a known point without hooks in the pipeline:
 * the test holds the lake's advisory lock until the run's load committed,
 * then takes an ACCESS EXCLUSIVE lock on a table the snapshot reads back
 * and lets the lake lock go; the run blocks exporting that table, which the
 * test sees in `pg_stat_activity`: that is when it strikes. A first run
 * writes the bar tables from its load's frames (they filled their
 * partitions alone) and blocks exporting the quarantine; a run into
 * partitions that held rows pays `bars_1m` and `bars_5m` from the
 * warehouse and blocks exporting `bars_1h`.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { DATABASE_KINDS, openTestDatabase, SKIP_SERVER_TESTS } from "../_db.ts";
import { PG_BIN, skipWithoutRoot } from "../_requires.ts";
import { connect, type SqlClient } from "@pipeline/load/client.ts";
import { LAKE_LOCK_KEY } from "@pipeline/snapshot/lake_lock.ts";
import { readLakeDebt } from "@pipeline/snapshot/debt.ts";
import { spawnEtl } from "../ops/_process.ts";
import { assertLakeEqualsWarehouse, stagingLeftovers } from "./_lake_equal.ts";

const ARGS = [
  "--symbols",
  "AAPL,MSFT,AMZN,GOOGL",
  "--sessions",
  "10",
  "--as-of",
  "2026-11-20T21:30:00Z",
  "--log-format",
  "json",
];

const SKIP_CLUSTER_TESTS = await skipWithoutRoot({ pgBin: true });
const SKIP_ROOT_TESTS = await skipWithoutRoot();

/** Polls until `probe` returns true (every 20 ms, at most 120 s). */
async function until(probe: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 120_000;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A `pg` connection whose connection-loss events are expected. */
async function raw(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {});
  await c.connect();
  return c;
}

/** Runs `etl ...args`; returns its exit code and output. */
async function etl(args: string[]) {
  const p = spawnEtl(args);
  return await p.done;
}

/**
 * Starts `etl run` on `url` and returns once it is blocked exporting
 * `table` in its snapshot, after its load committed (see the module doc).
 * The returned `release` ends the test's lock (if its server still runs).
 */
async function runUntilSnapshotBlocks(
  url: string,
  dataDir: string,
  table: "bars_1h" | "quarantine",
  /** Loads committed before this run's. */
  before = 0,
) {
  const locker = await raw(url);
  const admin = await raw(url);
  await locker.query("SELECT pg_advisory_lock(hashtext($1))", [LAKE_LOCK_KEY]);
  const p = spawnEtl([
    "run",
    ...ARGS,
    "--database-url",
    url,
    "--data-dir",
    dataDir,
  ]);
  try {
    await until(async () =>
      (await admin.query(
        "SELECT 1 FROM etl_loads WHERE status = 'committed'",
      )).rows.length > before, "the load to commit");
    await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    await locker.query("SELECT pg_advisory_unlock(hashtext($1))", [
      LAKE_LOCK_KEY,
    ]);
    const db = new URL(url).pathname.slice(1);
    await until(async () =>
      (await admin.query(
        `SELECT 1 FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND wait_event_type = 'Lock'
           AND query ILIKE $2`,
        [db, `COPY (SELECT%FROM "${table}"%`],
      )).rows.length > 0, `the snapshot to block on ${table}`);
  } catch (err) {
    p.kill("SIGKILL");
    await p.done;
    throw err;
  } finally {
    await admin.end().catch(() => {});
  }
  return {
    process: p,
    async release() {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end().catch(() => {});
    },
  };
}

/** The debt and staging state right after the crash, then the repair. */
async function assertRepairedByOneRun(
  client: SqlClient,
  url: string,
  dataDir: string,
) {
  const owed = await readLakeDebt(client);
  assert.ok(
    owed.some((d) => d.table === "bars_1h"),
    "the unwritten partitions stay owed",
  );
  const out = await etl([
    "run",
    ...ARGS,
    "--database-url",
    url,
    "--data-dir",
    dataDir,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(await stagingLeftovers(dataDir), []);
  assert.deepEqual(await readLakeDebt(client), []);
  await assertLakeEqualsWarehouse(client, dataDir);
}

for (
  const { when, table, seed } of [
    { when: "a first run", table: "quarantine", seed: false },
    { when: "a run into loaded partitions", table: "bars_1h", seed: true },
  ] as const
) {
  Deno.test({
    name:
      `${when}, SIGKILLed during its snapshot, leaves the debt and a staging leftover; the next run pays it and the lake equals the warehouse [postgres]`,
    ignore: SKIP_SERVER_TESTS,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => sigkillDuringSnapshot(table, seed),
  });
}

/** The SIGKILL test, blocking on `table`, after a complete run if `seed`. */
async function sigkillDuringSnapshot(
  table: "bars_1h" | "quarantine",
  seed: boolean,
) {
  const db = await openTestDatabase("postgres");
  const dataDir = await Deno.makeTempDir({ prefix: "sluice-snapcrash-" });
  try {
    if (seed) {
      // The day before: the run then loads its last session (the
      // watermark skips the rest) of symbols the warehouse holds.
      const out = await etl([
        "run",
        ...ARGS.map((a) =>
          a === "2026-11-20T21:30:00Z" ? "2026-11-19T21:30:00Z" : a
        ),
        "--database-url",
        db.url!,
        "--data-dir",
        dataDir,
      ]);
      assert.equal(out.code, 0, out.stderr);
    }
    const { process, release } = await runUntilSnapshotBlocks(
      db.url!,
      dataDir,
      table,
      seed ? 1 : 0,
    );
    assert.notDeepEqual(await stagingLeftovers(dataDir), []);
    process.kill("SIGKILL");
    assert.equal((await process.done).signal, "SIGKILL");
    await release();
    assert.notDeepEqual(
      await stagingLeftovers(dataDir),
      [],
      "a SIGKILL leaves the staging directory",
    );
    await assertRepairedByOneRun(db.client, db.url!, dataDir);
  } finally {
    await db.dispose();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** A throw-away Postgres cluster under /tmp, run as the postgres user. */
async function throwAwayCluster() {
  const dir = await Deno.makeTempDir({ prefix: "sluice-pgcluster-" });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const as = async (args: string[]) => {
    const out = await new Deno.Command("runuser", {
      args: ["-u", "postgres", "--", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  await new Deno.Command("chown", { args: ["postgres:postgres", dir] })
    .output();
  await as([
    `${PG_BIN}/initdb`,
    "-D",
    `${dir}/data`,
    "-U",
    "root",
    "--auth=trust",
    "--no-locale",
    "-E",
    "UTF8",
  ]);
  const pgCtl = (...args: string[]) =>
    as([`${PG_BIN}/pg_ctl`, "-D", `${dir}/data`, ...args]);
  const start = () =>
    pgCtl(
      "-l",
      `${dir}/log`,
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    );
  await start();
  return {
    url: `postgres://root@127.0.0.1:${port}/postgres`,
    start,
    /** Stops the server at once, as a crash or power cut would. */
    kill: () => pgCtl("-m", "immediate", "-w", "stop"),
    async dispose() {
      await pgCtl("-m", "immediate", "-w", "stop").catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name:
    "the Postgres server stopping during the snapshot leaves the debt; after a restart the next run pays it and the lake equals the warehouse",
  ignore: SKIP_CLUSTER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cluster = await throwAwayCluster();
    const dataDir = await Deno.makeTempDir({ prefix: "sluice-snapcrash-" });
    try {
      const { process, release } = await runUntilSnapshotBlocks(
        cluster.url,
        dataDir,
        "quarantine",
      );
      await cluster.kill();
      const out = await process.done;
      assert.notEqual(out.code, 0, "the run cannot succeed without its server");
      await release();
      await cluster.start();
      const client = await connect({ kind: "postgres", url: cluster.url });
      try {
        await assertRepairedByOneRun(client, cluster.url, dataDir);
      } finally {
        await client.close();
      }
    } finally {
      await cluster.dispose();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/** Mounts a tmpfs of `size` at `dir`; returns how to grow and unmount it. */
async function tmpfs(dir: string, size: string) {
  const mount = async (args: string[]) => {
    const out = await new Deno.Command("mount", { args, stderr: "piped" })
      .output();
    if (!out.success) {
      throw new Error(
        `mount ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  await Deno.mkdir(dir, { recursive: true });
  await mount(["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  return {
    grow: (to: string) => mount(["-o", `remount,size=${to}`, dir]),
    async unmount() {
      await new Deno.Command("umount", { args: [dir] }).output();
    },
  };
}

for (const kind of DATABASE_KINDS) {
  Deno.test({
    name:
      `a full disk under the lake fails the snapshot, status shows the debt, and etl snapshot pays it once there is room [${kind}]`,
    ignore: SKIP_ROOT_TESTS,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const db = kind === "postgres"
        ? await openTestDatabase("postgres")
        : undefined;
      const dataDir = await Deno.makeTempDir({ prefix: "sluice-fulldisk-" });
      const target = db?.url ? ["--database-url", db.url] : [];
      const lake = await tmpfs(`${dataDir}/lake`, "1m");
      try {
        const run = await etl([
          "run",
          ...ARGS,
          ...target,
          "--data-dir",
          dataDir,
          "--json",
        ]);
        assert.equal(run.code, 1, run.stderr);
        const summary = JSON.parse(run.stdout);
        assert.equal(summary.error_stage, "snapshot");
        assert.match(
          summary.error,
          /No space left on device|ENOSPC|os error 28/i,
        );
        assert.ok(summary.counts.loaded > 10_000, "the load committed");

        const status = await etl([
          "status",
          "--json",
          ...target,
          "--data-dir",
          dataDir,
        ]);
        assert.equal(status.code, 0, status.stderr);
        const debt = JSON.parse(status.stdout).lake_debt as {
          table: string;
          partitions: number;
        }[];
        assert.deepEqual(
          debt.map((d) => [d.table, d.partitions]),
          // Ten sessions, one month of daily bars.
          [["bars_1d", 1], ["bars_1h", 10], ["bars_1m", 10], ["bars_5m", 10], [
            "quarantine",
            1,
          ]],
        );

        await lake.grow("256m");
        const snap = await etl([
          "snapshot",
          "--json",
          ...target,
          "--data-dir",
          dataDir,
        ]);
        assert.equal(snap.code, 0, snap.stderr);
        // 10 days of bars_1m, bars_5m and bars_1h, a month of bars_1d, the
        // quarantine's day.
        assert.match(snap.stderr, /lake debt: 32 of 32 partitions paid/);
        assert.equal(JSON.parse(snap.stdout).paid, 32);
        assert.deepEqual(await stagingLeftovers(dataDir), []);

        const client = db?.client ??
          await connect({ kind: "pglite", dataDir: `${dataDir}/pglite` });
        try {
          assert.deepEqual(await readLakeDebt(client), []);
          await assertLakeEqualsWarehouse(client, dataDir);
        } finally {
          if (!db) await client.close();
        }
      } finally {
        await lake.unmount();
        await db?.dispose();
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  });
}
