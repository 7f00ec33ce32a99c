/**
 * Raw records made uniform before validation, for every dataset's rules:
 * each field as text, a `record` to name in the quarantine and the
 * record's position in its source.
 * @module
 */
import pl from "nodejs-polars";

/**
 * The raw frame with each of `fields` as Utf8 (a missing column becomes all
 * null), `record` (a missing or null one becomes `row <n>`, counted from 1)
 * and `__row`, the source position; other columns are dropped.
 */
export function normaliseRecords(
  raw: pl.DataFrame,
  fields: readonly string[],
): pl.DataFrame {
  const columns = new Set(raw.columns);
  const position = pl.intRange(0, raw.height, 1, pl.Int64, false);
  const fallbackRecord = pl.concatString([
    pl.lit("row "),
    position.add(1).cast(pl.Int64).cast(pl.Utf8),
  ], "");
  const record = !columns.has("record")
    ? fallbackRecord
    : raw.getColumn("record").nullCount() > 0
    ? pl.col("record").cast(pl.Utf8).fillNull(fallbackRecord)
    : pl.col("record").cast(pl.Utf8);
  return raw.select(
    ...fields.map((f) =>
      columns.has(f)
        ? pl.col(f).cast(pl.Utf8)
        : pl.lit(null).cast(pl.Utf8).alias(f)
    ),
    record.alias("record"),
    position.alias("__row"),
  );
}
