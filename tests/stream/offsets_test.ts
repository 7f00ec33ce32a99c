/**
 * commitSequences(): the consumer's offsets move over every committed
 * sequence without a gap, wait above a gap, and refuse a sequence twice.
 */
import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import {
  AlreadyCommitted,
  commitSequences,
  isCommitted,
  readCommitted,
} from "@pipeline/stream/offsets.ts";

const position = { stream: "S_RAW", consumer: "c1" };
const at = { loadId: "l1", now: new Date("2026-12-03T00:00:00Z") };

dbTest(
  "commitSequences() advances last_seq over consecutive sequences",
  async ({ client }) => {
    assert.equal(
      await client.transaction((tx) =>
        commitSequences(tx, position, [1, 2, 3], at)
      ),
      3,
    );
    assert.equal(
      await client.transaction((tx) =>
        commitSequences(tx, position, [4, 5], at)
      ),
      5,
    );
    const c = await readCommitted(client, position);
    assert.equal(c.lastSeq, 5);
    assert.equal(c.above.size, 0);
    const other = await readCommitted(client, { ...position, consumer: "c2" });
    assert.equal(other.lastSeq, 0);
  },
);

dbTest(
  "commitSequences() keeps sequences above a gap until it closes",
  async ({ client }) => {
    await client.transaction((tx) => commitSequences(tx, position, [1, 2], at));
    assert.equal(
      await client.transaction((tx) =>
        commitSequences(tx, position, [6, 7], at)
      ),
      2,
    );
    assert.equal(
      await client.transaction((tx) =>
        commitSequences(tx, position, [4, 5], at)
      ),
      2,
    );
    let c = await readCommitted(client, position);
    assert.deepEqual([...c.above].sort(), [4, 5, 6, 7]);
    assert.ok(isCommitted(c, 6) && isCommitted(c, 2) && !isCommitted(c, 3));
    assert.equal(
      await client.transaction((tx) => commitSequences(tx, position, [3], at)),
      7,
    );
    c = await readCommitted(client, position);
    assert.equal(c.lastSeq, 7);
    assert.equal(c.above.size, 0);
  },
);

dbTest(
  "commitSequences() refuses a sequence committed before and rolls back",
  async ({ client }) => {
    await client.transaction((tx) => commitSequences(tx, position, [1, 2], at));
    await client.transaction((tx) => commitSequences(tx, position, [5], at));
    for (const again of [[2, 3], [3, 5]]) {
      await assert.rejects(
        client.transaction((tx) => commitSequences(tx, position, again, at)),
        (err) => err instanceof AlreadyCommitted && err.transient,
      );
    }
    const c = await readCommitted(client, position);
    assert.equal(c.lastSeq, 2);
    assert.deepEqual([...c.above], [5]);
  },
);

dbTest(
  "commitSequences() moves past sequences the stream no longer holds",
  async ({ client }) => {
    await client.transaction((tx) => commitSequences(tx, position, [1], at));
    const last = await client.transaction((tx) =>
      commitSequences(tx, position, [10, 11], { ...at, firstAvailable: 10 })
    );
    assert.equal(last, 11);
  },
);
