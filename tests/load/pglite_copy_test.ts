import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { connectPglite } from "@pipeline/load/client.ts";
import { pgliteCopyStatements } from "@pipeline/load/_pglite_copy.ts";
import { frameToBinaryChunks } from "@pipeline/load/_binary_copy.ts";

const frame = (rows: number) =>
  pl.DataFrame({
    a: Array.from({ length: rows }, (_, i) => i),
    b: Array.from({ length: rows }, (_, i) => `row ${i}`),
  }).withColumns(pl.col("a").cast(pl.Int64));

const SQL = "COPY t (a, b) FROM STDIN (FORMAT binary)";

Deno.test("pgliteCopyStatements() cuts binary COPY input into statements of whole chunks, each with header and trailer", () => {
  const chunks = [
    ...frameToBinaryChunks(frame(1_000), ["a", "b"], { chunkRows: 100 }),
  ];
  const body = chunks.slice(1, -1).reduce((n, c) => n + c.byteLength, 0);
  const statements = [
    ...pgliteCopyStatements(SQL, chunks, Math.ceil(body / 4)),
  ];
  assert.ok(statements.length >= 4 && statements.length <= 5);
  for (const parts of statements) {
    assert.deepEqual(parts[0], chunks[0]);
    assert.deepEqual(parts.at(-1), new Uint8Array([0xff, 0xff]));
  }
  // Every row chunk is sent once, in order.
  assert.deepEqual(
    statements.flatMap((parts) => parts.slice(1, -1)),
    chunks.slice(1, -1),
  );
});

Deno.test("pgliteCopyStatements() sends CSV, and input of no rows, as one statement", () => {
  const csv = [
    new TextEncoder().encode("1,x\n"),
    new TextEncoder().encode("2,y\n"),
  ];
  assert.deepEqual(
    [...pgliteCopyStatements("COPY t FROM STDIN (FORMAT csv)", csv, 1)],
    [csv],
  );
  const none = [...frameToBinaryChunks(frame(0), ["a", "b"])];
  assert.deepEqual([...pgliteCopyStatements(SQL, none, 1)], [none]);
});

Deno.test("pgliteCopyStatements() rejects binary input that does not end with the trailer", () => {
  const chunks = [...frameToBinaryChunks(frame(10), ["a", "b"])];
  assert.throws(
    () => [...pgliteCopyStatements(SQL, chunks.slice(0, -1), 1)],
    /trailer/,
  );
});

Deno.test("PGlite copyFrom() of a multi-statement load reports rows as it goes, the event loop turning between", async () => {
  const client = await connectPglite(undefined, {
    copyStatementBytes: 64 << 10,
  });
  try {
    await client.exec("CREATE TABLE t (a bigint PRIMARY KEY, b text)");
    // A timer counts event-loop turns; each onRows call notes the count.
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const seen: { rows: number; turns: number }[] = [];
    const rows = 50_000;
    const copied = await client.copyFrom(
      SQL,
      frameToBinaryChunks(frame(rows), ["a", "b"], {
        chunkRows: 5_000,
        onRows: (n) => seen.push({ rows: n, turns }),
      }),
    );
    clearInterval(ticker);
    assert.equal(copied, rows);
    const { rows: [count] } = await client.query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, sum(a)::text AS s FROM t",
    );
    assert.deepEqual(count, { n: rows, s: String((rows * (rows - 1)) / 2) });
    assert.equal(seen.length, 10);
    assert.equal(seen.reduce((n, s) => n + s.rows, 0), rows);
    // The hook was called while the load went on, not all at its end: the
    // event loop turned between the first call and the last.
    assert.ok(
      seen.at(-1)!.turns > seen[0]!.turns,
      `event-loop turns at each onRows call: ${seen.map((s) => s.turns)}`,
    );
  } finally {
    await client.close();
  }
});
