/**
 * Reference files: CSV, JSON, NDJSON and Parquet read into the same raw
 * reference frame; files that are not reference files are errors.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { EtlError } from "@pipeline/errors.ts";
import { readSymbolFile } from "@pipeline/extract/symbol_file.ts";

const ROWS = [
  {
    Symbol: "AAPL",
    name: "Apple Inc.",
    exchange: "NASDAQ",
    currency: "USD",
    sector: "Information Technology",
    extra: "ignored",
  },
  {
    Symbol: "XOM",
    name: "Exxon Mobil",
    exchange: "NYSE",
    currency: "USD",
    sector: null,
    extra: "x",
  },
];

Deno.test("readSymbolFile() reads CSV, JSON, NDJSON and Parquet alike", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sluice_refs_" });
  try {
    const frame = pl.DataFrame(ROWS);
    const files: Record<string, string> = {
      csv: `${dir}/refs.csv`,
      json: `${dir}/refs.json`,
      ndjson: `${dir}/refs.ndjson`,
      parquet: `${dir}/refs.parquet`,
    };
    frame.writeCSV(files.csv!);
    await Deno.writeTextFile(files.json!, JSON.stringify(ROWS));
    await Deno.writeTextFile(
      files.ndjson!,
      ROWS.map((r) => JSON.stringify(r)).join("\n") + "\n\n",
    );
    frame.writeParquet(files.parquet!);
    const records: Record<string, string[]> = {
      csv: ["refs.csv:2", "refs.csv:3"],
      json: ["refs.json[0]", "refs.json[1]"],
      ndjson: ["refs.ndjson:1", "refs.ndjson:2"],
      parquet: ["refs.parquet[0]", "refs.parquet[1]"],
    };
    for (const [format, path] of Object.entries(files)) {
      await t.step(format, async () => {
        const raw = await readSymbolFile(path);
        assert.deepEqual(raw.columns, [
          "symbol",
          "name",
          "exchange",
          "currency",
          "sector",
          "record",
        ]);
        assert.ok(raw.dtypes.every((d) => d.variant === "String"));
        assert.deepEqual(raw.getColumn("record").toArray(), records[format]);
        assert.deepEqual(
          raw.drop("record").toRecords(),
          ROWS.map(({ Symbol, extra: _, ...r }) => ({ symbol: Symbol, ...r })),
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSymbolFile() refuses files that are not reference files", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sluice_refs_" });
  try {
    const cases: [string, string, string | null, RegExp, string][] = [
      [
        "bars.csv",
        "ticker,ts\nAAPL,1\n",
        null,
        /bars\.csv: missing required reference columns name, exchange, currency \(found "ticker", "ts"\); name the file's columns with --map name=COLUMN,exchange=COLUMN,currency=COLUMN/,
        "config",
      ],
      [
        "obj.json",
        '{"symbol":"AAPL"}',
        null,
        /expected a JSON array of reference objects, got object/,
        "extract",
      ],
      ["bad.json", "[", null, /not valid JSON/, "extract"],
      ["refs.txt", "x", null, /unknown format/, "config"],
      ["empty.csv", "", null, /empty \(0 bytes\)/, "config"],
      ["missing.csv", "", "skip", /cannot read reference file/, "extract"],
    ];
    for (const [name, text, skip, message, stage] of cases) {
      await t.step(name, async () => {
        const path = `${dir}/${name}`;
        if (skip === null) await Deno.writeTextFile(path, text);
        await assert.rejects(readSymbolFile(path), (err: unknown) => {
          assert.ok(err instanceof EtlError);
          assert.equal(err.stage, stage);
          assert.equal(err.partition, path);
          assert.equal(err.transient, false);
          assert.match(err.message, message);
          return true;
        });
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
