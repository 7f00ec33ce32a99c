/** seqRange(): a batch's first and last stream sequence, at any size. */
import assert from "node:assert/strict";
import { seqRange } from "@pipeline/stream/consumer.ts";

Deno.test("seqRange() gives the least and greatest sequence of a batch", () => {
  assert.deepEqual(seqRange([7, 3, 9, 4]), [3, 9]);
  assert.deepEqual(seqRange([42]), [42, 42]);
});

Deno.test("seqRange() takes a batch of 200,000 sequences (past V8's argument limit)", () => {
  const seqs = Array.from({ length: 200_000 }, (_, i) => 1_000 + i);
  assert.deepEqual(seqRange(seqs), [1_000, 200_999]);
});
