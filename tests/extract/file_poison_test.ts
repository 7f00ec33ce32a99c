/**
 * The file source hands poison bytes to validation instead of failing the
 * file: invalid UTF-8 becomes U+FFFD, NUL stays as is, integer epoch
 * columns keep their digits (validation reads their unit).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { readBarFile } from "@pipeline/extract/file.ts";
import { validateBars } from "@pipeline/validate/bars.ts";

const HEADER = "symbol,ts,open,high,low,close,volume\n";
const LINE = "2026-11-20T14:30:00Z,190.1,190.5,190.0,190.2,1200\n";

function bytes(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p)
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

Deno.test("readBarFile() reads invalid UTF-8 as U+FFFD instead of failing the file", async (t) => {
  const dir = await Deno.makeTempDir();
  await t.step("CSV", async () => {
    const path = join(dir, "bad.csv");
    await Deno.writeFile(
      path,
      bytes(HEADER, `AAPL,${LINE}`, "AA", [0xff, 0xfe], `PL,${LINE}`),
    );
    const raw = await readBarFile(path);
    assert.deepEqual(raw.getColumn("symbol").toArray(), [
      "AAPL",
      "AA\ufffd\ufffdPL",
    ]);
  });
  await t.step("JSON", async () => {
    const path = join(dir, "bad.json");
    await Deno.writeFile(
      path,
      bytes(
        '[{"symbol":"AA',
        [0xc3],
        'PL","ts":"2026-11-20T14:30:00Z","open":1,"high":1,"low":1,"close":1,"volume":1}]',
      ),
    );
    const raw = await readBarFile(path);
    assert.deepEqual(raw.getColumn("symbol").toArray(), ["AA\ufffdPL"]);
  });
  await t.step("validation quarantines the record, not the batch", async () => {
    const raw = await readBarFile(join(dir, "bad.csv"));
    const { valid, quarantine } = validateBars(raw, {
      now: new Date("2026-11-21T00:00:00Z"),
    });
    assert.equal(valid.height, 1);
    assert.deepEqual(quarantine.getColumn("record").toArray(), ["bad.csv:3"]);
    assert.match(
      String(quarantine.getColumn("reason").toArray()[0]),
      /^symbol: contains a control character or invalid UTF-8/,
    );
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readBarFile() keeps a NUL byte for validation to name", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "nul.csv");
  await Deno.writeFile(path, bytes(HEADER, "AA\u0000PL,", LINE));
  const raw = await readBarFile(path);
  assert.deepEqual(raw.getColumn("symbol").toArray(), ["AA\u0000PL"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readBarFile() keeps integer epoch columns as digits, which validation reads by magnitude", async () => {
  const dir = await Deno.makeTempDir();
  const ms = Date.parse("2026-11-20T14:30:00Z");
  const epochs = [ms / 1000, ms, ms * 1000, ms * 1_000_000];
  const path = join(dir, "epochs.parquet");
  pl.DataFrame([
    pl.Series("symbol", ["A", "B", "C", "D"], pl.Utf8),
    // Every value is exact in a double (the nanoseconds are a multiple of
    // 2^12), so the Float64 series casts to the exact Int64.
    pl.Series("ts", epochs, pl.Float64).cast(pl.Int64),
    ...["open", "high", "low", "close"].map((f) =>
      pl.Series(f, [190, 190, 190, 190], pl.Float64)
    ),
    pl.Series("volume", [1, 1, 1, 1], pl.Int64),
  ]).writeParquet(path);
  const raw = await readBarFile(path);
  assert.deepEqual(
    raw.getColumn("ts").toArray(),
    epochs.map((n) => BigInt(n).toString()),
  );
  const { valid, quarantine } = validateBars(raw, {
    now: new Date("2026-11-21T00:00:00Z"),
  });
  assert.equal(quarantine.height, 0);
  assert.deepEqual(
    (valid.getColumn("ts").toArray() as unknown as Date[]).map((d) =>
      d.getTime()
    ),
    [ms, ms, ms, ms],
  );
  await Deno.remove(dir, { recursive: true });
});
