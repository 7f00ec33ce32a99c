import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";
import { fixedClock } from "@pipeline/clock.ts";
import { EtlError } from "@pipeline/errors.ts";
import {
  barFileFormat,
  jsonText,
  readBarFile,
  writeBarFile,
} from "@pipeline/extract/file.ts";
import { syntheticBars } from "@pipeline/extract/synthetic.ts";
import { FileLayoutError } from "@pipeline/extract/record_file.ts";

const RAW_COLUMNS = [...BAR_FIELDS, "record"];

/** Rows of a small raw frame as arrays, for exact comparisons. */
const rows = (frame: pl.DataFrame) =>
  frame.rows() as unknown as (string | null)[][];

/** Writes `text` to `name` in a fresh temp dir and returns the path. */
async function fixture(
  name: string,
  text: string | Uint8Array,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sluice-file-test-" });
  const path = join(dir, name);
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  return path;
}

/**
 * Asserts `promise` rejects with a non-transient EtlError for `path`: stage
 * `extract` (unreadable), or `config` for a file that does not fit
 * (a {@link FileLayoutError}, exit 2).
 */
async function rejectsForFile(
  promise: Promise<unknown>,
  path: string,
  message: RegExp,
  stage: "extract" | "config" = "extract",
) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof EtlError, String(err));
    assert.equal(err instanceof FileLayoutError, stage === "config");
    assert.equal(err.stage, stage);
    assert.equal(err.partition, path);
    assert.equal(err.transient, false);
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("barFileFormat() knows the format from the extension", () => {
  assert.equal(barFileFormat("a/b/in.CSV"), "csv");
  assert.equal(barFileFormat("in.json"), "json");
  assert.equal(barFileFormat("in.jsonl"), "ndjson");
  assert.equal(barFileFormat("in.ndjson"), "ndjson");
  assert.equal(barFileFormat("in.parquet"), "parquet");
  assert.equal(barFileFormat("in.pq"), "parquet");
  assert.equal(barFileFormat("in.txt"), undefined);
  assert.equal(barFileFormat("README"), undefined);
});

Deno.test("readBarFile() reads CSV as text, keeping values exactly", async () => {
  const path = await fixture(
    "in.csv",
    [
      "symbol,ts,open,high,low,close,volume",
      "AAPL,2026-11-20T09:30:00-05:00,190.10,190.5,190.0,1.9e2,007",
      "AAPL,1795185060000,n/a,NaN,Infinity,-1,",
    ].join("\n") + "\n",
  );
  const raw = await readBarFile(path);
  assert.deepEqual(raw.columns, RAW_COLUMNS);
  assert.deepEqual(
    raw.dtypes.map((d) => d.variant),
    RAW_COLUMNS.map(() => "String"),
  );
  assert.deepEqual(rows(raw), [
    [
      "AAPL",
      "2026-11-20T09:30:00-05:00",
      "190.10",
      "190.5",
      "190.0",
      "1.9e2",
      "007",
      "in.csv:2",
    ],
    ["AAPL", "1795185060000", "n/a", "NaN", "Infinity", "-1", null, "in.csv:3"],
  ]);
});

Deno.test("readBarFile() matches CSV headers case-insensitively and keeps other fields as +<name> text", async () => {
  const path = await fixture(
    "headers.csv",
    " Volume ,SYMBOL,Ts,Trade Note,Open,HIGH,low,Close\n10,MSFT,1795185060000,hi,1,2,0.5,1.5\n",
  );
  const raw = await readBarFile(path);
  assert.deepEqual(raw.columns, [...RAW_COLUMNS, "+trade_note"]);
  assert.deepEqual(rows(raw.select(...RAW_COLUMNS)), [
    ["MSFT", "1795185060000", "1", "2", "0.5", "1.5", "10", "headers.csv:2"],
  ]);
  assert.deepEqual(raw.getColumn("+trade_note").toArray(), ["hi"]);
});

Deno.test("readBarFile() refuses a CSV missing a bar column before reading a row, naming the missing and the found columns", async () => {
  const path = await fixture(
    "novolume.csv",
    "symbol,ts,open,high,low,close\nA,1,1,1,1,1\nB,2,1,1,1,1\n",
  );
  await rejectsForFile(
    readBarFile(path),
    path,
    /novolume\.csv: missing required bar column volume \(found "symbol", "ts", "open", "high", "low", "close"\); name the file's columns with --map volume=COLUMN/,
    "config",
  );
});

Deno.test("readBarFile() skips blank CSV lines and keeps line numbers", async () => {
  const path = await fixture(
    "gaps.csv",
    "symbol,ts,open,high,low,close,volume\nA,1,1,1,1,1,1\n\nB,2,2,2,2,2,2\n\n",
  );
  const raw = await readBarFile(path);
  assert.deepEqual(raw.getColumn("record").toArray(), [
    "gaps.csv:2",
    "gaps.csv:4",
  ]);
});

Deno.test("readBarFile() refuses an empty file and reads a header-only one as no rows, with a warning", async (t) => {
  await t.step("a 0-byte file of every format", async () => {
    for (const name of ["empty.csv", "empty.json", "empty.ndjson"]) {
      const path = await fixture(name, "");
      await rejectsForFile(
        readBarFile(path),
        path,
        /the file is empty \(0 bytes\): nothing to load/,
        "config",
      );
    }
  });
  await t.step("blank lines only", async () => {
    const path = await fixture("blank.csv", "\n\n");
    await rejectsForFile(readBarFile(path), path, /no columns/, "config");
  });
  const cases: [string, string][] = [
    ["header.csv", "symbol,ts,open,high,low,close,volume\n"],
    ["none.json", "[]"],
  ];
  for (const [name, text] of cases) {
    await t.step(name, async () => {
      const warnings: string[] = [];
      const raw = await readBarFile(await fixture(name, text), {
        onWarning: (w) => warnings.push(w),
      });
      assert.equal(raw.height, 0);
      assert.deepEqual(raw.columns.slice(0, RAW_COLUMNS.length), RAW_COLUMNS);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, new RegExp(`^${name} .*nothing to load`));
    });
  }
});

Deno.test("readBarFile() reads JSON arrays, numbers as their JS text", async () => {
  const path = await fixture(
    "in.json",
    JSON.stringify([
      {
        symbol: "AAPL",
        ts: 1795185060000,
        open: 190.1,
        high: "190.5",
        low: 190,
        close: 190.25,
        volume: 1200,
      },
      {
        Symbol: "AAPL",
        TS: "2026-11-20T09:31:00Z",
        open: true,
        high: { v: 1 },
        low: [1],
        close: null,
        extra: 1,
      },
      42,
      null,
    ]),
  );
  const read = await readBarFile(path);
  assert.deepEqual(read.columns, [...RAW_COLUMNS, "+extra"]);
  assert.deepEqual(read.getColumn("+extra").toArray(), [null, "1", null, null]);
  const raw = read.select(...RAW_COLUMNS);
  assert.deepEqual(rows(raw), [
    [
      "AAPL",
      "1795185060000",
      "190.1",
      "190.5",
      "190",
      "190.25",
      "1200",
      "in.json[0]",
    ],
    [
      "AAPL",
      "2026-11-20T09:31:00Z",
      "true",
      '{"v":1}',
      "[1]",
      null,
      null,
      "in.json[1]",
    ],
    [null, null, null, null, null, null, null, "in.json[2]"],
    [null, null, null, null, null, null, null, "in.json[3]"],
  ]);
});

Deno.test("jsonText() turns JSON values into bar text", async (t) => {
  const cases: [unknown, string | null][] = [
    ["n/a", "n/a"],
    [1.5, "1.5"],
    [1795185060000, "1795185060000"],
    [null, null],
    [undefined, null],
    [false, "false"],
    [{ a: 1 }, '{"a":1}'],
  ];
  for (const [value, expected] of cases) {
    await t.step(JSON.stringify(value) ?? "undefined", () => {
      assert.equal(jsonText(value), expected);
    });
  }
});

Deno.test("readBarFile() reads NDJSON lines, a broken line as an all-null record", async () => {
  const path = await fixture(
    "in.jsonl",
    '{"symbol":"A","ts":1,"open":1,"high":1,"low":1,"close":1,"volume":1}\n\n{"symbol":"B"\n',
  );
  const raw = await readBarFile(path);
  assert.deepEqual(rows(raw), [
    ["A", "1", "1", "1", "1", "1", "1", "in.jsonl:1"],
    [null, null, null, null, null, null, null, "in.jsonl:3"],
  ]);
});

Deno.test("readBarFile() reads Parquet, casting columns to text", async () => {
  const frame = pl.DataFrame([
    pl.Series("Symbol", ["AAPL", "MSFT"], pl.Utf8),
    pl.Series("ts", [
      new Date("2026-11-20T14:30:00Z"),
      new Date("2026-11-20T14:31:00Z"),
    ]),
    pl.Series("open", [190.5, Number.NaN], pl.Float64),
    pl.Series("high", [191, 2], pl.Float64),
    pl.Series("low", [190, 1], pl.Float64),
    pl.Series("close", [190.75, 1.5], pl.Float64),
    pl.Series("volume", [1200, 5], pl.Int64),
  ]).withColumns(pl.col("ts").cast(pl.Datetime("us", "UTC")));
  const dir = await Deno.makeTempDir({ prefix: "sluice-file-test-" });
  const path = join(dir, "in.parquet");
  frame.writeParquet(path);
  const raw = await readBarFile(path);
  assert.deepEqual(raw.columns, RAW_COLUMNS);
  assert.deepEqual(rows(raw), [
    [
      "AAPL",
      "1795185000000",
      "190.5",
      "191.0",
      "190.0",
      "190.75",
      "1200",
      "in.parquet[0]",
    ],
    ["MSFT", "1795185060000", "NaN", "2.0", "1.0", "1.5", "5", "in.parquet[1]"],
  ]);
});

Deno.test("readBarFile() takes the format option over the extension", async () => {
  const path = await fixture(
    "bars.txt",
    "symbol,ts,open,high,low,close,volume\nA,1,1,1,1,1,1\n",
  );
  const raw = await readBarFile(path, { format: "csv" });
  assert.deepEqual(raw.getColumn("record").toArray(), ["bars.txt:2"]);
});

Deno.test("readBarFile() fails with an extract EtlError naming the file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-file-test-" });
  const cases: [string, () => Promise<string>, RegExp][] = [
    [
      "a missing file",
      () => Promise.resolve(join(dir, "missing.csv")),
      /missing\.csv/,
    ],
    [
      "a directory",
      async () => {
        const sub = join(dir, "sub.csv");
        await Deno.mkdir(sub);
        return sub;
      },
      /not a file/,
    ],
    [
      "a JSON file that is not JSON",
      () => fixture("garbage.json", "symbol,ts\nA,1"),
      /not valid JSON/,
    ],
    [
      "a JSON object instead of an array",
      () => fixture("object.json", '{"symbol":"A"}'),
      /expected a JSON array of bar objects, got object/,
    ],

    [
      "a text file as Parquet",
      () => fixture("fake.parquet", "symbol,ts\n"),
      /not a readable Parquet file/,
    ],
  ];
  for (const [name, make, message] of cases) {
    await t.step(name, async () => {
      const path = await make();
      await rejectsForFile(readBarFile(path), path, message);
    });
  }
  const layouts: [string, () => Promise<string>, RegExp][] = [
    [
      "an unknown extension (no format option is offered)",
      () => fixture("bars.txt", "symbol,ts\n"),
      /bars\.txt: unknown format: name the file \.csv, \.json \(an array of objects\), \.ndjson \(or \.jsonl\) or \.parquet \(or \.pq\)$/,
    ],
    [
      "JSON objects without bar fields",
      () => fixture("other.json", '[{"name":"x"}]'),
      /missing required bar columns symbol, ts, open, high, low, close, volume \(found "name"\)/,
    ],
    [
      "a CSV without bar columns",
      () => fixture("other.csv", "name,age\nx,1\n"),
      /missing required bar columns .* \(found "name", "age"\)/,
    ],
    [
      "a binary file as CSV",
      () =>
        fixture(
          "binary.csv",
          new Uint8Array([0, 159, 146, 150, 10, 255, 44, 254, 10]),
        ),
      /binary\.csv: missing required bar columns/,
    ],
  ];
  for (const [name, make, message] of layouts) {
    await t.step(name, async () => {
      const path = await make();
      await rejectsForFile(readBarFile(path), path, message, "config");
    });
  }
});

Deno.test("writeBarFile() round-trips a synthetic raw frame through every format", async (t) => {
  const raw = syntheticBars({
    clock: fixedClock("2026-11-20T22:00:00Z"),
    symbols: ["AAPL", "MSFT"],
    sessions: 1,
    defectRate: 0.05,
  });
  const dir = await Deno.makeTempDir({ prefix: "sluice-file-test-" });
  for (const name of ["bars.csv", "bars.json", "bars.ndjson", "bars.parquet"]) {
    await t.step(name, async () => {
      const path = join(dir, name);
      writeBarFile(raw, path);
      const back = await readBarFile(path);
      assert.equal(back.height, raw.height);
      assert.ok(
        back.select(...BAR_FIELDS).frameEqual(raw.select(...BAR_FIELDS), true),
      );
    });
  }
});

Deno.test("readBarFile() reads the committed samples the same from CSV and JSON", async () => {
  const sample = (name: string) =>
    fileURLToPath(new URL(`../../data/samples/${name}`, import.meta.url));
  const csv = await readBarFile(sample("bars.csv"));
  const json = await readBarFile(sample("bars.json"));
  assert.equal(csv.height, 50);
  assert.equal(json.height, 50);
  assert.equal(csv.getColumn("record").get(0), "bars.csv:2");
  assert.equal(json.getColumn("record").get(0), "bars.json[0]");
  assert.deepEqual(
    csv.getColumn("symbol").toArray(),
    json.getColumn("symbol").toArray(),
  );
  assert.deepEqual(
    csv.getColumn("ts").toArray(),
    json.getColumn("ts").toArray(),
  );
});
