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
import { CONTROL_PATTERN, quoted } from "@pipeline/validate/bars.ts";

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

/** What {@link quarantineUnsafeExtras} returns. */
export interface UnsafeExtras {
  /** The raw records whose extras are safe, in source order. */
  clean: pl.DataFrame;
  /**
   * One quarantine row per other record (record, <entity>, ts, field,
   * reason, raw; all Utf8), naming its first unsafe extra.
   */
  quarantine: pl.DataFrame;
}

/**
 * Splits off the raw records whose extras hold a control character (NUL
 * included) or U+FFFD (invalid UTF-8): validation checks only the
 * dataset's own fields, and such text would fail the load (no Postgres
 * text can hold a NUL) or garble the lake. The quarantine row names the
 * extra (without its `+`) and quotes its value as JSON; `raw` is the
 * record's `fields` and extras as JSON.
 */
export function quarantineUnsafeExtras(
  raw: pl.DataFrame,
  options: { fields: readonly string[]; entity: string },
): UnsafeExtras {
  const { fields, entity } = options;
  const extras = extraColumns(raw);
  const none = { clean: raw, quarantine: emptyQuarantine(entity) };
  if (extras.length === 0 || raw.height === 0) return none;
  const unsafe = (c: string) =>
    pl.col(c).cast(pl.Utf8).str.contains(CONTROL_PATTERN).fillNull(false);
  const flagged = raw.withColumns(
    pl.anyHorizontal(extras.map(unsafe)).alias("__unsafe"),
  );
  const bad = flagged.filter(pl.col("__unsafe"));
  if (bad.height === 0) return none;
  let field: pl.Expr = pl.lit(null).cast(pl.Utf8);
  let value: pl.Expr = pl.lit(null).cast(pl.Utf8);
  for (const c of [...extras].reverse()) {
    field = pl.when(unsafe(c)).then(pl.lit(c.slice(EXTRA_PREFIX.length)))
      .otherwise(field);
    value = pl.when(unsafe(c)).then(pl.col(c).cast(pl.Utf8)).otherwise(value);
  }
  const present = fields.filter((f) => raw.columns.includes(f));
  const text = (c: string) =>
    raw.columns.includes(c)
      ? pl.col(c).cast(pl.Utf8)
      : pl.lit(null).cast(pl.Utf8);
  const quarantine = bad.select(
    pl.col("record").cast(pl.Utf8).alias("record"),
    text(entity).alias(entity),
    text("ts").alias("ts"),
    field.alias("field"),
    pl.concatString([
      field,
      pl.lit(": contains a control character or invalid UTF-8, got "),
      quoted(value),
    ], "").alias("reason"),
    pl.struct([...present, ...extras].map((c) => pl.col(c).cast(pl.Utf8)))
      .struct.jsonEncode().alias("raw"),
  );
  return {
    clean: flagged.filter(pl.col("__unsafe").not()).drop("__unsafe"),
    quarantine,
  };
}

/** An empty quarantine frame whose entity column is `entity`. */
function emptyQuarantine(entity: string): pl.DataFrame {
  return pl.DataFrame(
    ["record", entity, "ts", "field", "reason", "raw"].map((c) =>
      pl.Series(c, [], pl.Utf8)
    ),
  );
}
