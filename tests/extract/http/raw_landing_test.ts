import assert from "node:assert/strict";
import { gunzip, gzip, sha256Hex } from "@pipeline/extract/http/gzip.ts";
import {
  type LandEntry,
  listLanded,
  partitionSlug,
  rawLanding,
  readLandedBody,
} from "@pipeline/extract/http/raw_landing.ts";

const body = new TextEncoder().encode('{"s":"no_data"}\n');

function entry(overrides: Partial<LandEntry> = {}): LandEntry {
  return {
    source: "finnhub",
    partition: "BRK.B 2026-11-02..2026-11-09",
    params: { symbol: "BRK.B" },
    url: "https://finnhub.io/api/v1/stock/candle?symbol=BRK.B&token=abc",
    status: 200,
    headers: new Headers({
      "content-type": "application/json",
      "x-ratelimit-remaining": "59",
      "set-cookie": "session=1",
    }),
    body,
    fetchedAt: new Date("2026-11-22T23:59:59.500Z"),
    ...overrides,
  };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("partitionSlug() makes a file-name-safe slug", () => {
  assert.equal(partitionSlug("IBM 2026-11"), "ibm-2026-11");
  assert.equal(
    partitionSlug("berlin 2026-11-01..2026-11-08"),
    "berlin-2026-11-01-2026-11-08",
  );
  assert.equal(
    partitionSlug("^GSPC 2026-11-01T09:30Z..x"),
    "gspc-2026-11-01t09-30z-x",
  );
  assert.equal(partitionSlug("..."), "partition");
});

Deno.test("gzip() and gunzip() round-trip and sha256Hex() is the standard digest", async () => {
  assert.deepEqual(await gunzip(await gzip(body)), body);
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("rawLanding().land() stores the gzipped body and a sidecar, numbering per day", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    const first = await landing.land(entry());
    const second = await landing.land(entry());
    assert.equal(
      first.bodyPath,
      `${dir}/raw/finnhub/2026-11-22/brk-b-2026-11-02-2026-11-09-1.json.gz`,
    );
    assert.equal(second.n, 2);
    assert.deepEqual(await gunzip(await Deno.readFile(first.bodyPath)), body);
    const meta = JSON.parse(await Deno.readTextFile(first.metaPath));
    assert.deepEqual(meta, {
      source: "finnhub",
      partition: "BRK.B 2026-11-02..2026-11-09",
      params: { symbol: "BRK.B" },
      url: "https://finnhub.io/api/v1/stock/candle?symbol=BRK.B&token=***",
      status: 200,
      headers: {
        "content-type": "application/json",
        "x-ratelimit-remaining": "59",
      },
      fetched_at: "2026-11-22T23:59:59.500Z",
      sha256: await sha256Hex(body),
      bytes: body.length,
      body_file: "brk-b-2026-11-02-2026-11-09-1.json.gz",
      redacted: false,
    });
  });
});

Deno.test("rawLanding().land() never overwrites when landing concurrently", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    const files = await Promise.all(
      [1, 2, 3, 4].map(() => landing.land(entry())),
    );
    assert.deepEqual(files.map((f) => f.n).sort(), [1, 2, 3, 4]);
  });
});

Deno.test("listLanded() lists complete landings in order and filters by date", async () => {
  await withDir(async (dir) => {
    const landing = rawLanding({ dataDir: dir });
    await landing.land(entry({ fetchedAt: new Date("2026-11-23T08:00:00Z") }));
    await landing.land(entry({ partition: "AAPL 2026-11-02..2026-11-09" }));
    await landing.land(entry());
    // An interrupted landing: a body without a sidecar is ignored.
    await Deno.writeFile(
      `${dir}/raw/finnhub/2026-11-22/zzz-1.json.gz`,
      await gzip(body),
    );
    const all = await listLanded({ dataDir: dir, source: "finnhub" });
    assert.deepEqual(all.map((f) => `${f.date} ${f.meta.partition} ${f.n}`), [
      "2026-11-22 AAPL 2026-11-02..2026-11-09 1",
      "2026-11-22 BRK.B 2026-11-02..2026-11-09 1",
      "2026-11-23 BRK.B 2026-11-02..2026-11-09 1",
    ]);
    const day = await listLanded({
      dataDir: dir,
      source: "finnhub",
      date: "2026-11-23",
    });
    assert.equal(day.length, 1);
    assert.deepEqual(await listLanded({ dataDir: dir, source: "nothing" }), []);
  });
});

Deno.test("listLanded() names a damaged sidecar", async () => {
  await withDir(async (dir) => {
    const file = await rawLanding({ dataDir: dir }).land(entry());
    await Deno.writeTextFile(file.metaPath, "{not json");
    await assert.rejects(
      listLanded({ dataDir: dir, source: "finnhub" }),
      /invalid raw-landing sidecar .*brk-b-2026-11-02-2026-11-09-1\.meta\.json/,
    );
  });
});

Deno.test("readLandedBody() checks the body against the sidecar's sha256", async () => {
  await withDir(async (dir) => {
    const file = await rawLanding({ dataDir: dir }).land(entry());
    assert.deepEqual(await readLandedBody(file), body);
    await Deno.writeFile(
      file.bodyPath,
      await gzip(new TextEncoder().encode("{}")),
    );
    await assert.rejects(readLandedBody(file), /is damaged: sha256/);
  });
});
