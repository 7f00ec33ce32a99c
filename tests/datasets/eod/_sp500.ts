/**
 * The real sample of the eod tests: the S&P 500 daily bars of the npm
 * package vega-datasets (2000-01-03 .. 2020-04-17, 5,105 rows, columns
 * date,open,high,low,close,adjclose,volume, no symbol).
 * @module
 */
import { fileURLToPath } from "node:url";

/** The path of `data/sp500-2000.csv` of vega-datasets (node_modules). */
export const SP500_CSV = fileURLToPath(
  new URL(
    "../../../node_modules/vega-datasets/data/sp500-2000.csv",
    import.meta.url,
  ),
);

/** Rows of the file. */
export const SP500_ROWS = 5_105;

/** A "now" after the file's last date. */
export const NOW = new Date("2026-12-01T00:00:00Z");

/** A CSV of daily bars (vega's columns) from `rows`, in a temporary file. */
export async function writeCsv(
  rows: readonly (readonly (string | number | null)[])[],
): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  const text = [
    "date,open,high,low,close,adjclose,volume",
    ...rows.map((r) => r.map((v) => v ?? "").join(",")),
  ].join("\n");
  await Deno.writeTextFile(path, text);
  return path;
}
