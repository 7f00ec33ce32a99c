/**
 * The generic record reader: one reader for every dataset, shaped by the
 * dataset's field list; the header checked before any row.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pl from "nodejs-polars";
import { BAR_FIELDS } from "@pipeline/bars.ts";
import {
  epochInUnit,
  FileLayoutError,
  readRecordFile,
  recordFileLayout,
  type RecordFileSchema,
} from "@pipeline/extract/record_file.ts";
import { BAR_FILE_SCHEMA, readBarFile } from "@pipeline/extract/file.ts";
import { validateBars } from "@pipeline/validate/bars.ts";
import { withExtras } from "@pipeline/datasets/extras.ts";

const VEGA = fileURLToPath(
  new URL("../../node_modules/vega-datasets/data/", import.meta.url),
);
const SP500 = join(VEGA, "sp500-2000.csv");
const STOCKS = join(VEGA, "stocks.csv");

/** A daily-bar dataset of its own: the eod columns of sp500-2000.csv. */
const EOD_SCHEMA: RecordFileSchema = {
  what: "daily bar",
  fields: [
    { name: "symbol", type: "text", required: true },
    { name: "date", type: "time", required: true },
    { name: "open", type: "number", required: true },
    { name: "high", type: "number", required: true },
    { name: "low", type: "number", required: true },
    { name: "close", type: "number", required: true },
    { name: "adjclose", type: "number", required: false },
    { name: "volume", type: "number", required: true },
  ],
  entity: "symbol",
  time: "date",
};

/** Writes `text` to `name` in a fresh temp dir and returns the path. */
async function fixture(name: string, text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sluice-record-file-" });
  const path = join(dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}

/** Asserts `promise` rejects with a FileLayoutError matching `message`. */
async function rejectsLayout(promise: Promise<unknown>, message: RegExp) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof FileLayoutError, String(err));
    assert.equal(err.stage, "config");
    assert.equal(err.transient, false);
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("readRecordFile() reads a third dataset (daily eod bars) with its own schema", async () => {
  const raw = await readRecordFile(SP500, EOD_SCHEMA, { symbol: "SPX" });
  assert.deepEqual(raw.columns, [
    ...EOD_SCHEMA.fields.map((f) => f.name),
    "record",
  ]);
  assert.equal(raw.height, 5105);
  assert.deepEqual(raw.row(0), [
    "SPX",
    "2000-01-03",
    "1469.250000",
    "1478.000000",
    "1438.359985",
    "1455.219971",
    "1455.219971",
    "931800000",
    "sp500-2000.csv:2",
  ]);
});

Deno.test("readBarFile() loads a single-symbol daily file with --map and --symbol", async () => {
  const raw = await readBarFile(SP500, {
    map: { close: "adjclose" },
    symbol: "SPX",
  });
  assert.deepEqual(raw.columns, [...BAR_FIELDS, "record"]);
  assert.deepEqual(raw.getColumn("symbol").unique().toArray(), ["SPX"]);
  assert.equal(raw.getColumn("ts").get(0), "2000-01-03");
  // adjclose is the close; the file's own close column is not kept.
  assert.equal(raw.getColumn("close").get(0), "1455.219971");
});

Deno.test("readBarFile() refuses vega's stocks.csv, naming the missing and the found columns", async () => {
  await rejectsLayout(
    readBarFile(STOCKS),
    /stocks\.csv: missing required bar columns open, high, low, close, volume \(found "symbol", "date", "price"\); name the file's columns with --map open=COLUMN,high=COLUMN,low=COLUMN,close=COLUMN,volume=COLUMN$/,
  );
  await rejectsLayout(
    readBarFile(SP500),
    /missing required bar column symbol .*--symbol NAME/,
  );
});

Deno.test("readBarFile() matches a renamed intraday header case-insensitively and by alias", async (t) => {
  const text = "Ticker,Datetime,Open,High,Low,Close,Volume,Dividends\n" +
    "AAPL,2026-11-20T14:30:00Z,1,2,0.5,1.5,100,0\n";
  await t.step("without a map", async () => {
    const raw = await readBarFile(await fixture("yf.csv", text));
    assert.deepEqual(raw.columns, [...BAR_FIELDS, "record", "+dividends"]);
    assert.deepEqual(raw.row(0).slice(0, 2), ["AAPL", "2026-11-20T14:30:00Z"]);
  });
  await t.step("with --map naming each column", async () => {
    const raw = await readBarFile(await fixture("yf.csv", text), {
      map: { symbol: "Ticker", ts: "Datetime", close: "close" },
    });
    assert.deepEqual(raw.row(0), [
      "AAPL",
      "2026-11-20T14:30:00Z",
      "1",
      "2",
      "0.5",
      "1.5",
      "100",
      "yf.csv:2",
      "0",
    ]);
  });
});

Deno.test("readBarFile() refuses a map or symbol that does not fit the file", async (t) => {
  const path = await fixture(
    "bars.csv",
    "symbol,ts,open,high,low,close,volume\nA,1,1,1,1,1,1\n",
  );
  const cases: [string, Parameters<typeof readBarFile>[1], RegExp][] = [
    [
      "a column the file lacks",
      { map: { close: "adjclose" } },
      /--map close=adjclose: no column "adjclose" \(found "symbol", "ts", .*\)/,
    ],
    ["an unknown field", { map: { price: "close" } }, /--map names "price"/],
    [
      "--symbol for a file with a symbol column",
      { symbol: "SPX" },
      /--symbol SPX is for a file without a symbol column/,
    ],
    [
      "--symbol and --map symbol",
      { symbol: "SPX", map: { symbol: "ts" } },
      /give --symbol or --map symbol=COLUMN, not both/,
    ],
  ];
  for (const [name, options, message] of cases) {
    await t.step(
      name,
      () => rejectsLayout(readBarFile(path, options), message),
    );
  }
});

Deno.test("recordFileLayout() checks the header without reading a row", async () => {
  const path = await fixture(
    "broken.csv",
    "Ticker,Datetime,Open,High,Low,Close,Volume\n" +
      `A,1,"${"x".repeat(10_000)},1,1,1,1\n`,
  );
  const layout = await recordFileLayout(path, BAR_FILE_SCHEMA);
  assert.deepEqual(
    [...layout.fields].map(([f, s]) => [f, "column" in s ? s.column : null]),
    [
      ["symbol", "Ticker"],
      ["ts", "Datetime"],
      ["open", "Open"],
      ["high", "High"],
      ["low", "Low"],
      ["close", "Close"],
      ["volume", "Volume"],
    ],
  );
});

Deno.test("readBarFile() bounds the error of a malformed 1 MB quoted CSV field", async () => {
  const path = await fixture(
    "broken.csv",
    "symbol,ts,open,high,low,close,volume\n" +
      "A,2026-11-20T14:30:00Z,1,1,1,1,1\n" +
      `A,2026-11-20T14:31:00Z,"${"x".repeat(1_000_000)},1,1,1,1\n` +
      "A,2026-11-20T14:32:00Z,1,1,1,1,1\n",
  );
  await assert.rejects(readBarFile(path), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /broken\.csv: not a readable CSV file/);
    assert.match(err.message, /characters cut/);
    assert.ok(err.message.length < 1200, `${err.message.length} characters`);
    return true;
  });
});

Deno.test("readBarFile() reads epoch numbers in the --ts-unit given, else by magnitude", async (t) => {
  const text = "symbol,ts,open,high,low,close,volume\n" +
    "A,1795185000,1,1,1,1,1\nA,2026-11-20T14:31:00Z,1,1,1,1,1\n";
  const path = await fixture("epoch.csv", text);
  await t.step("without a unit the digits stay for validation", async () => {
    const raw = await readBarFile(path);
    assert.equal(raw.getColumn("ts").get(0), "1795185000");
  });
  const cases: [string, string][] = [
    ["s", "2026-11-20T14:30:00.000Z"],
    ["ms", "1970-01-21T18:39:45.000Z"],
    ["us", "1970-01-01T00:29:55.185000Z"],
    ["ns", "1970-01-01T00:00:01.795185000Z"],
  ];
  for (const [unit, expected] of cases) {
    await t.step(unit, async () => {
      const raw = await readBarFile(path, {
        tsUnit: unit as "s" | "ms" | "us" | "ns",
      });
      assert.deepEqual(raw.getColumn("ts").toArray(), [
        expected,
        "2026-11-20T14:31:00Z",
      ]);
    });
  }
  await t.step("validation reads the ISO text the unit gave", async () => {
    const raw = await readBarFile(path, { tsUnit: "s" });
    const { valid } = validateBars(raw, {
      now: new Date("2026-11-21T00:00:00Z"),
    });
    assert.deepEqual(
      (valid.getColumn("ts").toArray() as unknown as Date[]).map((d) =>
        d.toISOString()
      ),
      ["2026-11-20T14:30:00.000Z", "2026-11-20T14:31:00.000Z"],
    );
  });
  await t.step("epochInUnit() leaves non-digits alone", () => {
    const out = pl.DataFrame({ t: ["12", "x1", null] }).select(
      epochInUnit(pl.col("t"), "s").alias("t"),
    );
    assert.deepEqual(out.getColumn("t").toArray(), [
      "1970-01-01T00:00:12.000Z",
      "x1",
      null,
    ]);
  });
});

Deno.test("readBarFile() keeps JSON and NDJSON extra fields as +<name> columns, like CSV's", async (t) => {
  const bar = {
    symbol: "AAPL",
    ts: "2026-11-20T14:30:00Z",
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 100,
  };
  const files: [string, string][] = [
    [
      "x.json",
      JSON.stringify([{ ...bar, "Trade Note": "hi", vwap: 1.2 }, bar]),
    ],
    [
      "x.ndjson",
      `${JSON.stringify({ ...bar, "Trade Note": "hi", vwap: 1.2 })}\n` +
      `${JSON.stringify(bar)}\n`,
    ],
  ];
  for (const [name, text] of files) {
    await t.step(name, async () => {
      const raw = await readBarFile(await fixture(name, text));
      assert.deepEqual(raw.columns, [
        ...BAR_FIELDS,
        "record",
        "+trade_note",
        "+vwap",
      ]);
      const { valid } = validateBars(raw, {
        now: new Date("2026-11-21T00:00:00Z"),
      });
      // The load types and adds them as for CSV (extras.ts, evolve.ts).
      const typed = withExtras(valid, raw);
      assert.deepEqual(typed.getColumn("+vwap").toArray(), [1.2, null]);
      assert.deepEqual(typed.getColumn("+trade_note").toArray(), ["hi", null]);
    });
  }
});
