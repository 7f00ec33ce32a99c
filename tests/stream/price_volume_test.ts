/**
 * The price and volume join through the stream, against the real NATS
 * server: bars split into prices and volumes on two subjects are joined on
 * (symbol, minute); a late volume within the wait still joins; a side whose
 * partner does not come within the wait is recorded unmatched (and so is the
 * partner arriving after it); duplicates change nothing; a consumer killed
 * between the two sides loses neither.
 */
import assert from "node:assert/strict";
import type pl from "nodejs-polars";
import { createServerDatabase, dbTest, SERVER_URL } from "../_db.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { DATASETS } from "@pipeline/datasets/mod.ts";
import {
  PRICE_VOLUME_STREAM_SIDES,
  priceVolumeJoin,
} from "@pipeline/datasets/price_volume/mod.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { recordRunStart } from "@pipeline/ops/history.ts";
import { newRunSummary } from "@pipeline/runner/mod.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { connectPostgres } from "@pipeline/load/client.ts";
import { consume, produce, readCommitted } from "@pipeline/stream/mod.ts";
import { spawnEtl } from "../ops/_process.ts";
import { AS_OF, frameSource, type TestNats, withTestNats } from "./_nats.ts";

/** Clean synthetic bars (no defects): every bar gives a valid pair. */
function cleanBars(symbols = ["AAPL", "MSFT"], seed = 11): pl.DataFrame {
  return syntheticBars({
    clock: fixedClock(AS_OF),
    symbols,
    sessions: 1,
    seed,
    defectRate: 0,
  }).head(240);
}

/** The pairs the join must produce from `bars`: `symbol ts price volume`. */
function expectedPairs(bars: pl.DataFrame): string[] {
  return bars.toRecords().map((r) =>
    `${r.symbol} ${new Date(String(r.ts)).toISOString()} ${Number(r.close)} ${
      Number(r.volume)
    }`
  ).sort();
}

async function pairs(client: SqlClient): Promise<string[]> {
  const { rows } = await client.query<
    {
      symbol: string;
      ts: Date | string;
      price: number;
      volume: number;
      ratio: number | null;
    }
  >(`SELECT symbol, ts, price, volume, ratio FROM price_volume`);
  for (const r of rows) {
    assert.equal(
      r.ratio === null ? null : Number(r.ratio),
      Number(r.volume) > 0 ? Number(r.price) / Number(r.volume) : null,
    );
  }
  return rows.map((r) =>
    `${r.symbol} ${new Date(r.ts).toISOString()} ${Number(r.price)} ${
      Number(r.volume)
    }`
  ).sort();
}

async function unmatched(client: SqlClient) {
  const { rows } = await client.query<
    { symbol: string; ts: Date | string; side: string; reason: string }
  >(
    `SELECT symbol, ts, side, reason FROM price_volume_unmatched
     ORDER BY symbol, ts, side`,
  );
  return rows;
}

/** Consumes until idle for 1.5 s with the join waiting `waitMs`. */
async function consumeJoin(
  client: SqlClient,
  { nats, topology }: TestNats,
  waitMs: number,
) {
  const summary = newRunSummary({
    runId: crypto.randomUUID(),
    pipeline: "stream-test",
    source: "stream",
    trigger: "manual",
    startedAt: new Date(),
  });
  await recordRunStart(client, summary);
  return await consume({
    topology,
    batchSize: 100,
    untilIdleMs: 1500,
    pipeline: "stream-test",
    runId: summary.run_id,
    dataDir: await Deno.makeTempDir(),
    snapshot: false,
  }, {
    client,
    nats,
    clock: fixedClock(AS_OF),
    datasets: { ...DATASETS, price_volume: priceVolumeJoin({ waitMs }) },
  }, summary);
}

dbTest(
  "prices and volumes on two subjects join on (symbol, minute); re-sends and duplicates change nothing",
  async (db) => {
    await withTestNats(async (t) => {
      const bars = cleanBars();
      const produced = await produce(frameSource(bars), {
        topology: t.topology,
        sides: PRICE_VOLUME_STREAM_SIDES,
      }, { js: t.nats.js });
      assert.equal(produced.published, 2 * bars.height);
      const first = await consumeJoin(db.client, t, 60_000);
      assert.equal(first.committed, 2 * bars.height);
      const want = expectedPairs(bars);
      assert.equal(want.length, bars.height);
      assert.deepEqual(await pairs(db.client), want);
      assert.deepEqual(await unmatched(db.client), []);

      // The same messages under their ids: dropped by the stream. Under new
      // ids, volumes first: loaded again, nothing changes.
      const again = await produce(frameSource(bars), {
        topology: t.topology,
        sides: PRICE_VOLUME_STREAM_SIDES,
      }, { js: t.nats.js });
      assert.equal(again.duplicates, 2 * bars.height);
      const rows = bars.toRecords();
      for (const [i, r] of rows.entries()) {
        await t.nats.js.publish(
          t.topology.raw("volumes"),
          JSON.stringify({ symbol: r.symbol, ts: r.ts, volume: r.volume }),
          { msgID: `again/v/${i}` },
        );
        await t.nats.js.publish(
          t.topology.raw("prices"),
          JSON.stringify({ symbol: r.symbol, ts: r.ts, price: r.close }),
          { msgID: `again/p/${i}` },
        );
      }
      const second = await consumeJoin(db.client, t, 60_000);
      assert.equal(second.committed, 2 * rows.length);
      assert.deepEqual(await pairs(db.client), want);
      assert.deepEqual(await unmatched(db.client), []);
      // A side with a bad value is quarantined with its field and reason.
      await t.nats.js.publish(
        t.topology.raw("prices"),
        JSON.stringify({ symbol: "AAPL", ts: rows[0]!.ts, price: -1 }),
        { msgID: "bad/1" },
      );
      await consumeJoin(db.client, t, 60_000);
      const { rows: q } = await db.client.query<{ field: string }>(
        `SELECT field FROM quarantine WHERE dataset = 'price_volume'`,
      );
      assert.deepEqual(q.map((r) => r.field), ["price"]);
      assert.deepEqual(await pairs(db.client), want);
    });
  },
);

dbTest(
  "a volume side published late but within the wait still joins",
  async (db) => {
    await withTestNats(async (t) => {
      const bars = cleanBars(["NVDA"], 3).head(60);
      const produced = await produce(frameSource(bars), {
        topology: t.topology,
        sides: PRICE_VOLUME_STREAM_SIDES,
        delays: { volumes: 2500 },
      }, { js: t.nats.js });
      assert.equal(produced.published, 2 * bars.height);
      // Prices come first in the stream, volumes 2.5 s later.
      const info = await t.nats.jsm.streams.getMessage(t.topology.rawStream, {
        seq: 1,
      });
      assert.equal(info!.subject, t.topology.raw("prices"));
      await consumeJoin(db.client, t, 60_000);
      assert.deepEqual(await pairs(db.client), expectedPairs(bars));
      assert.deepEqual(await unmatched(db.client), []);
    });
  },
);

dbTest(
  "a side unmatched after the wait is recorded with its reason, and so is its partner arriving later",
  async (db) => {
    await withTestNats(async (t) => {
      const bars = cleanBars(["TSLA"], 5).head(20);
      const rows = bars.toRecords();
      // Prices for all 20 minutes, volumes for the first 10 only.
      for (const [i, r] of rows.entries()) {
        await t.nats.js.publish(
          t.topology.raw("prices"),
          JSON.stringify({ symbol: r.symbol, ts: r.ts, price: r.close }),
          { msgID: `p/${i}` },
        );
        if (i < 10) {
          await t.nats.js.publish(
            t.topology.raw("volumes"),
            JSON.stringify({ symbol: r.symbol, ts: r.ts, volume: r.volume }),
            { msgID: `v/${i}` },
          );
        }
      }
      // The wait (0.5 s) ends while the consumer idles (1.5 s): settled.
      await consumeJoin(db.client, t, 500);
      assert.deepEqual(await pairs(db.client), expectedPairs(bars.head(10)));
      const late = await unmatched(db.client);
      assert.equal(late.length, 10);
      for (const u of late) {
        assert.equal(u.side, "prices");
        assert.equal(u.reason, "no volume within 0.5 s of its arrival");
      }
      // The missing volumes arrive after the wait: recorded, not joined.
      for (const [i, r] of rows.entries()) {
        if (i < 10) continue;
        await t.nats.js.publish(
          t.topology.raw("volumes"),
          JSON.stringify({ symbol: r.symbol, ts: r.ts, volume: r.volume }),
          { msgID: `v/${i}` },
        );
      }
      await consumeJoin(db.client, t, 500);
      assert.deepEqual(await pairs(db.client), expectedPairs(bars.head(10)));
      const after = await unmatched(db.client);
      assert.equal(after.length, 20);
      const volumes = after.filter((u) => u.side === "volumes");
      assert.equal(volumes.length, 10);
      for (const u of volumes) {
        assert.match(u.reason, /^arrived after the wait for its price ended/);
      }
    });
  },
);

Deno.test({
  name:
    "etl stream killed between the two sides: the pending prices survive and join the volumes after the restart [postgres]",
  ignore: !SERVER_URL,
}, async () => {
  await withTestNats(async (t) => {
    const bars = cleanBars(["AMZN", "META"], 9);
    const prices = PRICE_VOLUME_STREAM_SIDES.filter((s) =>
      s.subject === "prices"
    );
    const volumes = PRICE_VOLUME_STREAM_SIDES.filter((s) =>
      s.subject === "volumes"
    );
    await produce(frameSource(bars), { topology: t.topology, sides: prices }, {
      js: t.nats.js,
    });
    const db = await createServerDatabase(SERVER_URL!);
    const args = [
      "stream",
      ...t.flags,
      "--database-url",
      db.url,
      "--data-dir",
      await Deno.makeTempDir(),
      "--batch-size",
      "50",
      "--ack-wait",
      "2s",
      "--no-snapshot",
    ];
    const probe = await connectPostgres(db.url);
    try {
      const p = spawnEtl(args);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const c = await readCommitted(probe, {
          stream: t.topology.rawStream,
          consumer: "sluice-etl",
        }).catch(() => ({ lastSeq: 0 }));
        if (c.lastSeq >= bars.height) break;
        assert.ok(Date.now() < deadline, `no progress:\n${p.lines.join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      p.kill("SIGKILL");
      assert.equal((await p.done).signal, "SIGKILL");
      const { rows: [waiting] } = await probe.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM price_volume_sides WHERE pending`,
      );
      assert.equal(waiting!.n, bars.height);
      assert.deepEqual(await pairs(probe), []);

      await produce(
        frameSource(bars),
        { topology: t.topology, sides: volumes },
        {
          js: t.nats.js,
        },
      );
      const last = spawnEtl([...args, "--until-idle", "3s"]);
      const out = await last.done;
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(await pairs(probe), expectedPairs(bars));
      assert.deepEqual(await unmatched(probe), []);
    } finally {
      await probe.close();
      await db.drop();
    }
  });
});

Deno.test("etl produce --split price_volume --late volumes:1s publishes each bar as a price and a later volume", async () => {
  await withTestNats(async (t) => {
    const produce = spawnEtl([
      "produce",
      ...t.flags,
      "--symbols",
      "AAPL",
      "--sessions",
      "1",
      "--as-of",
      "2026-11-21T22:00:00Z",
      "--split",
      "price_volume",
      "--late",
      "volumes:1s",
      "--json",
    ]);
    const out = await produce.done;
    assert.equal(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout);
    const info = await t.nats.jsm.streams.info(t.topology.rawStream);
    assert.equal(info.state.messages, report.published);
    assert.equal(report.published % 2, 0);
    const first = await t.nats.jsm.streams.getMessage(t.topology.rawStream, {
      seq: 1,
    });
    const last = await t.nats.jsm.streams.getMessage(t.topology.rawStream, {
      seq: report.published,
    });
    assert.equal(first!.subject, t.topology.raw("prices"));
    assert.equal(last!.subject, t.topology.raw("volumes"));
    // The volumes came a second after their prices.
    assert.ok(
      last!.time.getTime() - first!.time.getTime() >= 900,
      `${first!.time.toISOString()} .. ${last!.time.toISOString()}`,
    );
    const bad = await spawnEtl([
      "produce",
      ...t.flags,
      "--split",
      "price_volume",
      "--late",
      "trades:1s",
    ]).done;
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /--late trades: not a side of --split price_volume/,
    );
  });
});
