/**
 * Source fields outside a dataset's contract ("extras"): a raw frame carries
 * them as text columns named `+<field>`. They are typed once, right after
 * validation, from the values of the valid records (all integers: Int64;
 * all numbers: Float64; else text; a field with no value in the batch is
 * left out), follow each record through the
 * transform, and reach the load, which adds them to the table as nullable
 * columns through a recorded migration (`@pipeline/load/evolve.ts`).
 * @module
 */
import pl from "nodejs-polars";

/** The prefix of an extra column in a frame. */
export const EXTRA_PREFIX = "+";

/** The extra columns of a frame. */
export function extraColumns(frame: pl.DataFrame): string[] {
  return frame.columns.filter((c) => c.startsWith(EXTRA_PREFIX));
}

const INT = /^[+-]?\d{1,18}$/;
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The typed expression of one text extra column, or null when empty. */
function typed(frame: pl.DataFrame, column: string): pl.Expr | null {
  const text = pl.col(column).cast(pl.Utf8).str.strip();
  const values = frame.select(
    pl.when(text.eq(pl.lit(""))).then(pl.lit(null)).otherwise(text).alias("v"),
  ).getColumn("v").dropNulls();
  if (values.len() === 0) return null;
  const all = (re: RegExp) =>
    values.toArray().every((v) => typeof v === "string" && re.test(v));
  const cleaned = pl.when(text.eq(pl.lit(""))).then(pl.lit(null)).otherwise(
    text,
  );
  if (all(INT)) return cleaned.cast(pl.Int64).alias(column);
  if (all(NUM)) return cleaned.cast(pl.Float64).alias(column);
  return cleaned.alias(column);
}

/**
 * `valid` with the extras of `raw` joined by `record`, typed from the valid
 * records' values (see the module doc). Without extras, `valid` as is.
 */
export function withExtras(
  valid: pl.DataFrame,
  raw: pl.DataFrame,
): pl.DataFrame {
  const extras = extraColumns(raw);
  if (extras.length === 0 || !raw.columns.includes("record")) return valid;
  const joined = valid.join(
    raw.select("record", ...extras).unique({
      subset: ["record"],
      keep: "first",
      maintainOrder: true,
    }),
    { on: "record", how: "left" },
  );
  const exprs = extras.flatMap((c) => {
    const e = typed(joined, c);
    return e ? [e] : [];
  });
  return joined.select(...valid.columns.map((c) => pl.col(c)), ...exprs);
}

/**
 * `frame` (unique by `key`) with the extras of `source` joined on `key`
 * (the first row per key wins). Without extras, `frame` as is.
 */
export function attachExtras(
  frame: pl.DataFrame,
  source: pl.DataFrame,
  key: readonly string[],
): pl.DataFrame {
  const extras = extraColumns(source);
  if (extras.length === 0) return frame;
  const right = source.select(...key, ...extras).unique({
    subset: [...key],
    keep: "first",
    maintainOrder: true,
  });
  return frame.join(right, { on: [...key], how: "left" });
}
