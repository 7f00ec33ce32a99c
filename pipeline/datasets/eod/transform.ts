// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#transform
/**
 * The transform of eod: valid daily bars to the frame `eod_bars` takes.
 * @module
 */
import pl from "nodejs-polars";

/** The columns of the transformed frame: the `eod_bars` row. */
export const EOD_COLUMNS = [
  "symbol",
  "ts",
  "open",
  "high",
  "low",
  "close",
  "adj_close",
  "volume",
  "ret",
] as const;

/**
 * The valid frame without exact duplicates (counted), unique by (symbol,
 * ts) keeping the last copy, sorted by symbol and ts, with `ret` =
 * close / previous close - 1 per symbol (null for its first day): the
 * same division and subtraction as the SQL of `EOD_RET`, so the batch's
 * value and the warehouse's agree to the bit.
 */
export function transformEod(
  valid: pl.DataFrame,
): { bars: pl.DataFrame; duplicates: number } {
  const values = EOD_COLUMNS.filter((c) => c !== "ret");
  const distinct = valid.select(...values).unique({ maintainOrder: true });
  const bars = distinct
    .unique({ subset: ["symbol", "ts"], keep: "last", maintainOrder: true })
    .sort(["symbol", "ts"])
    .withColumns(
      pl.col("close").div(pl.col("close").shift(1).over("symbol")).minus(1)
        .alias("ret"),
    )
    .select(...EOD_COLUMNS);
  return { bars, duplicates: valid.height - distinct.height };
}
