/**
 * Leases: another live process's lease covers a gap (the waiting process
 * leaves it alone), its own does not, an expired one is nobody's and is
 * dropped, the first sequence held above the gap bounds a fill, and of
 * two processes waiting for one gap only the first takes it.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { connectPostgres } from "@pipeline/load/client.ts";
import {
  claimGap,
  heldElsewhere,
  holdLease,
  type Lease,
  releaseLease,
} from "@pipeline/stream/leases.ts";

const position = { stream: "S_RAW", consumer: "c1" };
const a: Lease = { ...position, holder: "a", ttlMs: 60_000 };
const b: Lease = { ...position, holder: "b", ttlMs: 60_000 };

dbTest(
  "heldElsewhere() sees another process's live lease, not its own",
  async ({ client }) => {
    assert.deepEqual(await heldElsewhere(client, a, 10), {
      held: false,
      nextHeld: null,
    });
    await holdLease(client, a, 5, 20);
    // Its own lease does not hold a gap back.
    assert.deepEqual(await heldElsewhere(client, a, 10), {
      held: false,
      nextHeld: null,
    });
    assert.deepEqual(await heldElsewhere(client, b, 10), {
      held: true,
      nextHeld: null,
    });
    assert.deepEqual(await heldElsewhere(client, b, 3), {
      held: false,
      nextHeld: 5,
    });
    // Renewed with another range: the row is replaced, not added.
    await holdLease(client, a, 30, 40);
    assert.deepEqual(await heldElsewhere(client, b, 10), {
      held: false,
      nextHeld: 30,
    });
    // Another consumer's leases are not this one's.
    assert.equal(
      (await heldElsewhere(client, { ...b, consumer: "c2" }, 35)).held,
      false,
    );
    await releaseLease(client, a);
    assert.deepEqual(await heldElsewhere(client, b, 35), {
      held: false,
      nextHeld: null,
    });
  },
);

dbTest(
  "a lease not renewed within its time to live holds nothing and is dropped",
  async ({ client }) => {
    const short = { ...a, ttlMs: 50 };
    await holdLease(client, short, 1, 100);
    assert.equal(
      (await heldElsewhere(client, { ...b, ttlMs: 50 }, 10)).held,
      true,
    );
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(
      (await heldElsewhere(client, { ...b, ttlMs: 50 }, 10)).held,
      false,
    );
    await holdLease(client, { ...b, ttlMs: 50 }, 200, 300);
    const { rows } = await client.query<{ holder: string }>(
      `SELECT holder FROM etl_stream_leases ORDER BY holder`,
    );
    assert.deepEqual(rows.map((r) => r.holder), ["b"]);
  },
);

dbTest(
  "claimGap(): the first of two waiting processes takes the gap, up to what another holds",
  async ({ client, url }) => {
    const c: Lease = { ...position, holder: "c", ttlMs: 60_000 };
    await holdLease(client, c, 500, 600);
    // a waits for 1 with 700..800 in hand; nobody holds 1: a takes 1..499.
    await holdLease(client, a, 700, 800);
    assert.equal(await claimGap(client, a, 1, 700, 800), 500);
    // b, waiting for the same gap, finds it taken.
    await holdLease(client, b, 900, 950);
    assert.equal(await claimGap(client, b, 1, 900, 950), null);
    assert.deepEqual(await heldElsewhere(client, b, 1), {
      held: true,
      nextHeld: 500,
    });
    // Two processes (two connections) at once: one of them takes it.
    if (!url) return;
    await releaseLease(client, a);
    const other = await connectPostgres(url);
    try {
      for (let i = 0; i < 5; i++) {
        const both = await Promise.all([
          claimGap(client, a, 1, 700, 800),
          claimGap(other, b, 1, 900, 950),
        ]);
        assert.equal(both.filter((x) => x === null).length, 1, `${both}`);
        await releaseLease(client, a);
        await releaseLease(client, b);
      }
    } finally {
      await other.close();
    }
  },
);
