/**
 * The file source as a stranger meets it, through real `etl` processes: a
 * file that does not fit is refused before a database exists (exit 2,
 * naming the missing and the found columns), `--map`/`--symbol`/`--ts-unit`
 * make other files load, `--dry-run` shows how a file parses, and JSON
 * extra fields become columns like CSV's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DATABASE_KINDS, openTestDatabase } from "../_db.ts";
import { runEtl as etl } from "../_cli.ts";
import { connectPglite, type SqlClient } from "@pipeline/load/client.ts";

const VEGA = fileURLToPath(
  new URL("../../node_modules/vega-datasets/data/", import.meta.url),
);

/** Whether `path` exists. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("etl refuses files that do not fit before creating a database (exit 2)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-file-cli-" });
  try {
    await Deno.writeTextFile(join(dir, "empty.csv"), "");
    await Deno.writeTextFile(join(dir, "bars.txt"), "symbol,ts\n");
    const cases: [string, string[], RegExp][] = [
      [
        "vega's stocks.csv given to bars",
        ["--input", join(VEGA, "stocks.csv")],
        /stocks\.csv: missing required bar columns open, high, low, close, volume \(found "symbol", "date", "price"\); name the file's columns with --map open=COLUMN/,
      ],
      [
        "a single-symbol file without --symbol",
        ["--input", join(VEGA, "sp500-2000.csv")],
        /missing required bar column symbol .*--symbol NAME/,
      ],
      [
        "a 0-byte file",
        ["--input", join(dir, "empty.csv")],
        /empty\.csv: the file is empty \(0 bytes\): nothing to load/,
      ],
      [
        "a .txt file",
        ["--input", join(dir, "bars.txt")],
        /bars\.txt: unknown format: name the file \.csv/,
      ],
      [
        "a reference file without its columns",
        ["--dataset", "symbols", "--input", join(VEGA, "stocks.csv")],
        /missing required reference columns name, exchange, currency/,
      ],
      [
        "--map of a column the file lacks",
        [
          "--input",
          join(VEGA, "sp500-2000.csv"),
          "--symbol",
          "SPX",
          "--map",
          "close=adj_close",
        ],
        /--map close=adj_close: no column "adj_close"/,
      ],
      [
        "--map with another source",
        ["--source", "synthetic", "--map", "ts=date"],
        /--map is an option of --source file/,
      ],
      [
        "a --map that is not FIELD=COLUMN",
        ["--input", join(VEGA, "sp500-2000.csv"), "--map", "date"],
        /--map: expected FIELD=COLUMN/,
      ],
    ];
    for (const [name, args, message] of cases) {
      await t.step(name, async () => {
        const dataDir = join(dir, "data");
        const r = await etl([
          ...(args.includes("--source") ? [] : ["--source", "file"]),
          ...args,
          "--data-dir",
          dataDir,
        ]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /format option/);
        assert.equal(await exists(dataDir), false, "no database was created");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("etl --dry-run shows how a file parses and loads nothing", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sluice-file-cli-" });
  await Deno.remove(dataDir);
  const r = await etl([
    "--source",
    "file",
    "--input",
    join(VEGA, "sp500-2000.csv"),
    "--symbol",
    "spx",
    "--map",
    "close=adjclose",
    "--dry-run",
    "--json",
    "--data-dir",
    dataDir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.counts, {
    records: 5105,
    valid: 0,
    quarantined: 5105,
  });
  assert.deepEqual(report.first[0], {
    symbol: "SPX",
    ts: "2000-01-03",
    open: "1469.250000",
    high: "1478.000000",
    low: "1438.359985",
    close: "1455.219971",
    volume: "931800000",
    record: "sp500-2000.csv:2",
  });
  assert.deepEqual(
    report.reasons.map((x: { field: string; count: number }) => [
      x.field,
      x.count,
    ]),
    [["ts", 5105]],
  );
  assert.match(
    report.reasons[0].example.reason,
    /^ts: expected ISO-8601 with offset .*, got "2000-01-03"$/,
  );
  assert.equal(await exists(dataDir), false, "no database was created");

  const text = await etl([
    "--source",
    "file",
    "--input",
    "data/samples/bars.csv",
    "--dry-run",
    "--data-dir",
    dataDir,
  ]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, /records: 50, valid: 41, quarantined: 9/);
  assert.match(text.stderr, /first 5 records as read:/);
  assert.match(text.stderr, /ts: Datetime\(ms,UTC\)/);
  assert.match(text.stderr, /quarantine reasons a load would record:/);
  assert.equal(await exists(dataDir), false);
});

/** A renamed intraday CSV (yfinance-style header) with an extra column. */
const RENAMED = "Ticker,Datetime,Open,High,Low,Close,Volume,Dividends\n" +
  [0, 1, 2].map((m) =>
    `AAPL,2026-11-20T14:3${m}:00Z,10${m},10${m + 1},9${m},10${m},10${m}0,0`
  ).join("\n") + "\n";

/** An NDJSON file of the same bars with fields outside the contract. */
const NDJSON = [0, 1].map((m) =>
  JSON.stringify({
    symbol: "MSFT",
    ts: 1795185000 + 60 * m,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 100,
    "Trade Count": 7 + m,
    venue: "XNAS",
  })
).join("\n") + "\n";

for (const kind of DATABASE_KINDS) {
  Deno.test(`etl loads a renamed CSV, --ts-unit epochs and NDJSON extras; a header-only file warns [${kind}]`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "sluice-file-cli-" });
    const db = kind === "postgres"
      ? await openTestDatabase("postgres", { migrate: false })
      : undefined;
    const target = db?.url ? ["--database-url", db.url] : [];
    const run = (input: string, ...more: string[]) =>
      etl([
        "--source",
        "file",
        "--input",
        input,
        "--no-snapshot",
        "--data-dir",
        join(dir, "data"),
        "--json",
        ...target,
        ...more,
      ]);
    try {
      await Deno.writeTextFile(join(dir, "yf.csv"), RENAMED);
      await Deno.writeTextFile(join(dir, "bars.ndjson"), NDJSON);
      await Deno.writeTextFile(
        join(dir, "header.csv"),
        "symbol,ts,open,high,low,close,volume\n",
      );
      const renamed = await run(
        join(dir, "yf.csv"),
        "--map",
        "symbol=Ticker,ts=Datetime",
      );
      assert.equal(renamed.code, 0, renamed.stderr);
      const s1 = JSON.parse(renamed.stdout);
      assert.equal(s1.status, "succeeded");
      assert.equal(s1.counts.loaded, 3);
      assert.equal(s1.counts.quarantined, 0);

      const ndjson = await run(join(dir, "bars.ndjson"), "--ts-unit", "s");
      assert.equal(ndjson.code, 0, ndjson.stderr);
      assert.equal(JSON.parse(ndjson.stdout).counts.loaded, 2);

      const header = await run(join(dir, "header.csv"));
      assert.equal(header.code, 0, header.stderr);
      assert.match(
        header.stderr,
        /header\.csv has a header but no records: nothing to load/,
      );
      assert.equal(JSON.parse(header.stdout).counts.extracted, 0);

      const client: SqlClient = db?.client ??
        await connectPglite(join(dir, "data", "pglite"));
      try {
        const { rows } = await client.query<
          {
            symbol: string;
            ts: Date;
            dividends: unknown;
            trade_count: unknown;
            venue: unknown;
          }
        >(
          "SELECT symbol, ts, dividends, trade_count, venue FROM bars_1m ORDER BY symbol, ts",
        );
        assert.deepEqual(
          rows.map((r) => [
            r.symbol,
            new Date(r.ts).toISOString(),
            r.dividends === null ? null : Number(r.dividends),
            r.trade_count === null ? null : Number(r.trade_count),
            r.venue,
          ]),
          [
            ["AAPL", "2026-11-20T14:30:00.000Z", 0, null, null],
            ["AAPL", "2026-11-20T14:31:00.000Z", 0, null, null],
            ["AAPL", "2026-11-20T14:32:00.000Z", 0, null, null],
            ["MSFT", "2026-11-20T14:30:00.000Z", null, 7, "XNAS"],
            ["MSFT", "2026-11-20T14:31:00.000Z", null, 8, "XNAS"],
          ],
        );
      } finally {
        if (!db) await client.close();
      }
    } finally {
      await db?.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
