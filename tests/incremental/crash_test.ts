/**
 * Crash safety: a real `etl run` process is killed with SIGKILL at several
 * points of its load, then run again; the warehouse must end with exactly
 * the rows of an uninterrupted run.
 *
 * The points are reached deterministically, without test hooks in the
 * pipeline: the test takes a table lock that the run's next statement needs
 * and waits until the run's backend is seen waiting on it (or, for the COPY,
 * until the statement is seen running), then kills it. For the snapshot it
 * holds the lake lock until the load committed, then locks the quarantine
 * (the snapshot writes the bar tables of a first load from its frames, and
 * reads the quarantine back) and lets the lake lock go.
 * Server only: PGlite is one process, its database dies with it.
 */
import assert from "node:assert/strict";
import { openTestDatabase, SKIP_SERVER_TESTS } from "../_db.ts";
import { connectPostgres, type SqlClient } from "@pipeline/load/client.ts";
import { spawnEtl } from "../ops/_process.ts";
import { LAKE_LOCK_KEY } from "@pipeline/snapshot/lake_lock.ts";

const ARGS = [
  "run",
  "--symbols",
  "AAPL,MSFT,AMZN,GOOGL,META,NVDA,TSLA,JPM",
  "--sessions",
  "20",
  "--as-of",
  "2026-11-20T21:30:00Z",
  "--log-format",
  "json",
];

/** Everything a run leaves in the warehouse, load ids and clocks left out. */
async function contents(client: SqlClient) {
  const q = async (sql: string) =>
    (await client.query<{ h: string; n: number }>(sql)).rows;
  return {
    bars_1m: await q(
      `SELECT md5(string_agg(concat_ws(',', symbol, ts, open, high, low, close,
         volume, ret, ma_close_20, ma_volume_20, vwap), ';' ORDER BY symbol, ts))
         AS h, count(*)::int AS n FROM bars_1m`,
    ),
    bars_5m: await q(
      `SELECT md5(string_agg(concat_ws(',', symbol, ts, open, high, low, close,
         volume, vwap, bar_count), ';' ORDER BY symbol, ts)) AS h,
         count(*)::int AS n FROM bars_5m`,
    ),
    bars_1h: await q(
      `SELECT md5(string_agg(concat_ws(',', symbol, ts, open, high, low, close,
         volume, vwap, bar_count), ';' ORDER BY symbol, ts)) AS h,
         count(*)::int AS n FROM bars_1h`,
    ),
    quarantine: await q(
      `SELECT md5(string_agg(concat_ws(',', fingerprint, record, field, raw),
         ';' ORDER BY fingerprint)) AS h, count(*)::int AS n FROM quarantine`,
    ),
    watermarks: await q(
      `SELECT source, partition, watermark FROM etl_watermarks
       ORDER BY source, partition`,
    ),
  };
}

/** Runs the etl to the end; asserts it succeeded. */
async function runToEnd(url: string, dataDir: string) {
  const p = spawnEtl([...ARGS, "--database-url", url, "--data-dir", dataDir]);
  const out = await p.done;
  assert.equal(out.code, 0, out.stderr);
}

/** Polls until `probe` returns true (every 10 ms, at most 60 s). */
async function until(probe: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether a backend of `pid`'s database runs a statement matching `like`. */
function backend(admin: SqlClient, db: string, like: string, waiting: boolean) {
  return async () => {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity
       WHERE datname = $1 AND state = 'active' AND query ILIKE $2
         AND pid <> pg_backend_pid()
         AND ($3::boolean IS FALSE OR wait_event_type = 'Lock')`,
      [db, like, waiting],
    );
    return rows.length > 0;
  };
}

interface KillPoint {
  name: string;
  /** A table to lock (EXCLUSIVE: reads go on) so the run blocks at its next write. */
  lock?: string;
  /** The statement to catch (ILIKE pattern). */
  statement: string;
  /**
   * Reach it in the snapshot: hold the lake lock until the load committed,
   * then lock `lock` (ACCESS EXCLUSIVE: the export waits) and let it go.
   */
  snapshot?: boolean;
}

const POINTS: KillPoint[] = [
  {
    name: "before the data (etl_loads insert blocked)",
    lock: "etl_loads",
    statement: "INSERT INTO etl_loads%",
  },
  { name: "during the bars_1m COPY", statement: 'COPY "bars_1m"%' },
  {
    name: "after the bars, at the quarantine",
    lock: "quarantine",
    statement: "INSERT INTO quarantine%",
  },
  {
    name: "after bars and quarantine, at the watermarks",
    lock: "etl_watermarks",
    statement: "INSERT INTO etl_watermarks%",
  },
  {
    name: "after the commit, during the snapshot export",
    lock: "quarantine",
    statement: 'COPY (SELECT%FROM "quarantine"%',
    snapshot: true,
  },
];

Deno.test({
  name:
    "etl run killed with SIGKILL at any point of its load, then run again, ends with exactly the rows of an uninterrupted run [postgres]",
  ignore: SKIP_SERVER_TESTS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const reference = await openTestDatabase("postgres", { migrate: false });
    const refDir = await Deno.makeTempDir({ prefix: "sluice-crash-ref-" });
    try {
      await runToEnd(reference.url!, refDir);
      const expected = await contents(reference.client);
      assert.ok(expected.bars_1m[0]!.n > 10_000);
      assert.ok(expected.quarantine[0]!.n > 0);

      for (const point of POINTS) {
        await t.step(point.name, async () => {
          const db = await openTestDatabase("postgres");
          const dataDir = await Deno.makeTempDir({ prefix: "sluice-crash-" });
          const dbName = new URL(db.url!).pathname.slice(1);
          const admin = await connectPostgres(db.url!);
          try {
            let release = () => Promise.resolve();
            let locker: SqlClient | undefined;
            if (point.snapshot) {
              locker = await connectPostgres(db.url!);
              await locker.query("SELECT pg_advisory_lock(hashtext($1))", [
                LAKE_LOCK_KEY,
              ]);
              release = async () => {
                await locker!.exec("ROLLBACK");
                await locker!.close();
              };
            } else if (point.lock) {
              const locker = await connectPostgres(db.url!);
              await locker.exec(
                `BEGIN; LOCK TABLE ${point.lock} IN EXCLUSIVE MODE`,
              );
              release = async () => {
                await locker.exec("ROLLBACK");
                await locker.close();
              };
            }
            const p = spawnEtl([
              ...ARGS,
              "--database-url",
              db.url!,
              "--data-dir",
              dataDir,
            ]);
            try {
              if (point.snapshot) {
                await until(async () =>
                  (await admin.query(
                    "SELECT 1 FROM etl_loads WHERE status = 'committed'",
                  )).rows.length > 0, "the load to commit");
                await locker!.exec(
                  `BEGIN; LOCK TABLE ${point.lock} IN ACCESS EXCLUSIVE MODE`,
                );
                await locker!.query("SELECT pg_advisory_unlock(hashtext($1))", [
                  LAKE_LOCK_KEY,
                ]);
              }
              await until(
                backend(admin, dbName, point.statement, !!point.lock),
                point.statement,
              );
              p.kill("SIGKILL");
              const out = await p.done;
              assert.equal(out.signal, "SIGKILL");
            } finally {
              await release();
            }
            // The killed run committed nothing of its load, or all of it.
            const { rows: loads } = await admin.query<
              { status: string; n: number }
            >(
              `SELECT l.status, (SELECT count(*)::int FROM bars_1m b
                 WHERE b.load_id = l.load_id) AS n FROM etl_loads l`,
            );
            for (const l of loads) {
              if (l.status === "committed") assert.ok(l.n > 0);
              else assert.equal(l.n, 0, `a ${l.status} load left rows`);
            }
            await runToEnd(db.url!, dataDir);
            assert.deepEqual(await contents(db.client), expected);
          } finally {
            await admin.close();
            await db.dispose();
            await Deno.remove(dataDir, { recursive: true });
          }
        });
      }
    } finally {
      await reference.dispose();
      await Deno.remove(refDir, { recursive: true });
    }
  },
});
