/**
 * The validate stage for symbol reference data: splits a RAW reference frame
 * (see `@pipeline/symbols.ts`) into the VALID reference frame and the
 * QUARANTINE frame, vectorised with polars.
 *
 * Each record is checked against the rules below in order; the first failing
 * rule quarantines it with the field it names and a reason that quotes the
 * offending value as JSON (`currency: expected an ISO 4217 currency code like
 * USD, got "usd"`):
 *
 * 1. a missing symbol (null or blank);
 * 1a. a field holding a control character (NUL included) or U+FFFD (invalid
 *    UTF-8), in field order: no Postgres text can hold a NUL;
 * 2. a symbol that fails `SymbolSchema` (`@pipeline/bars.ts`: the same
 *    tickers the bars carry, so the dimension joins them);
 * 3. a missing required attribute (name, exchange, currency), in that order;
 * 4. a currency that fails {@link CurrencySchema}.
 *
 * Surrounding whitespace is ignored and a blank sector is null (sector is
 * optional). Records that pass every rule but share their symbol with the
 * last record of that symbol while holding different attributes (null
 * differs from any value) are superseded: the last one in source order wins,
 * each earlier differing copy is quarantined on `symbol` naming the record
 * that superseded it. Copies with identical attributes stay valid (the
 * transform removes and counts them).
 *
 * The zod schemas run once per distinct symbol and currency, not per record.
 * @module
 */
import pl from "nodejs-polars";
import { normaliseRecords } from "@pipeline/validate/records.ts";
import { QUARANTINE_COLUMNS, SymbolSchema } from "@pipeline/bars.ts";
import {
  CurrencySchema,
  REQUIRED_SYMBOL_ATTRIBUTES,
  SYMBOL_ATTRIBUTES,
  SYMBOL_REF_FIELDS,
  type SymbolRefField,
} from "@pipeline/symbols.ts";
import {
  CONTROL_PATTERN,
  firstMatch,
  quoted,
} from "@pipeline/validate/bars.ts";

/** What {@link validateSymbols} returns; `raw.height === valid.height + quarantine.height`. */
export interface ValidateSymbolsResult {
  /** Records that passed, trimmed, in source order (fields and `record`). */
  valid: pl.DataFrame;
  /** One row per rejected record (`QUARANTINE_COLUMNS`), in source order. */
  quarantine: pl.DataFrame;
}

/** One validation rule: which field it blames, its message and its test. */
export interface SymbolRule {
  /** The field the reason names. */
  field: SymbolRefField;
  /** What was wrong, without the field and value (`missing value`). */
  message: string;
  /** True where the record breaks the rule (null counts as false). */
  test: pl.Expr;
}

/** The trimmed text of a field, null when blank (column `__text_<field>`). */
function text(field: SymbolRefField): pl.Expr {
  return pl.col(`__text_${field}`);
}

/**
 * The values among `values` that fail `schema`, and the zod message for the
 * first of them (or `fallback`).
 */
function badValues(
  values: readonly (string | null)[],
  schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
  fallback: string,
): { values: string[]; message: string } {
  const bad: string[] = [];
  let message = fallback;
  for (const value of values) {
    if (value === null) continue;
    const result = schema.safeParse(value) as {
      success: boolean;
      error?: { issues: { message: string }[] };
    };
    if (result.success) continue;
    if (bad.length === 0) message = result.error?.issues[0]?.message ?? message;
    bad.push(value);
  }
  return { values: bad, message };
}

/** Whether `expr` is one of `values`. */
function isIn(expr: pl.Expr, values: readonly string[]): pl.Expr {
  return values.length === 0
    ? pl.lit(false)
    : expr.isIn(pl.lit(pl.Series("values", values, pl.Utf8)));
}

/**
 * The rules of {@link validateSymbols} in the order they are applied, given
 * the trimmed symbols and currencies known to be bad.
 */
export function symbolRules(options: {
  badSymbols: string[];
  symbolMessage: string;
  badCurrencies: string[];
  currencyMessage: string;
}): SymbolRule[] {
  const missing = (field: SymbolRefField): SymbolRule => ({
    field,
    message: "missing value",
    test: text(field).isNull(),
  });
  return [
    missing("symbol"),
    ...SYMBOL_REF_FIELDS.map((field): SymbolRule => ({
      field,
      message: "contains a control character or invalid UTF-8",
      test: text(field).str.contains(CONTROL_PATTERN),
    })),
    {
      field: "symbol",
      message: options.symbolMessage,
      test: isIn(text("symbol"), options.badSymbols),
    },
    ...REQUIRED_SYMBOL_ATTRIBUTES.map(missing),
    {
      field: "currency",
      message: options.currencyMessage,
      test: isIn(text("currency"), options.badCurrencies),
    },
  ];
}

/**
 * The raw frame with every field as Utf8 (a missing column becomes all
 * null), `record` (a missing one becomes `row <n>`), `__row` (the source
 * position) and the trimmed text of each field (`__text_*`, null when blank).
 */
function normaliseRaw(raw: pl.DataFrame): pl.DataFrame {
  return normaliseRecords(raw, SYMBOL_REF_FIELDS).withColumns(
    ...SYMBOL_REF_FIELDS.map((f) => {
      const trimmed = pl.col(f).str.strip();
      return pl.when(trimmed.eq(pl.lit(""))).then(pl.lit(null).cast(pl.Utf8))
        .otherwise(trimmed).alias(`__text_${f}`);
    }),
  );
}

/** The distinct trimmed values of a field. */
function distinct(
  frame: pl.DataFrame,
  field: SymbolRefField,
): (string | null)[] {
  return frame.select(text(field).unique().alias("v")).getColumn("v")
    .toArray() as (string | null)[];
}

/**
 * Records that passed the rules but are superseded: an earlier record of a
 * symbol whose attributes differ from the last record of that symbol.
 * Returns `__row` and `__by` (the record of the last copy).
 */
function supersededRecords(passed: pl.DataFrame): pl.DataFrame {
  // JSON of the attributes: exact and null-safe (a hash could collide and
  // turn a conflict into a silently dropped "duplicate").
  const attrs = pl.struct(SYMBOL_ATTRIBUTES.map((a) => text(a).alias(a)))
    .struct.jsonEncode();
  return passed
    .filter(pl.len().over("__text_symbol").gt(1))
    .withColumns(attrs.alias("__attrs"))
    .withColumns(
      pl.col("__attrs").neq(pl.col("__attrs").last().over("__text_symbol"))
        .alias("__differs"),
      pl.col("record").last().over("__text_symbol").alias("__by"),
    )
    .filter(pl.col("__differs"))
    .select("__row", "__by");
}

/**
 * Splits a RAW reference frame into valid records and quarantined ones (see
 * the module doc for the rules). Never throws on bad data: every rejected
 * record becomes one quarantine row naming its record, field and reason.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { validateSymbols } from "@pipeline/datasets/symbols/validate.ts";
 * const raw = pl.DataFrame({
 *   symbol: ["AAPL", "MSFT"], name: ["Apple Inc.", "Microsoft"],
 *   exchange: ["NASDAQ", "NASDAQ"], currency: ["USD", "usd"],
 *   sector: ["Technology", null], record: ["refs.csv:2", "refs.csv:3"],
 * });
 * const { quarantine } = validateSymbols(raw);
 * quarantine.getColumn("reason").get(0);
 * // 'currency: expected an ISO 4217 currency code like USD, got "usd"'
 * ```
 */
export function validateSymbols(raw: pl.DataFrame): ValidateSymbolsResult {
  const normalised = normaliseRaw(raw);
  const symbols = badValues(
    distinct(normalised, "symbol"),
    SymbolSchema,
    "expected a ticker like AAPL or BRK.B",
  );
  const currencies = badValues(
    distinct(normalised, "currency"),
    CurrencySchema,
    "expected an ISO 4217 currency code like USD",
  );
  const rules = symbolRules({
    badSymbols: symbols.values,
    symbolMessage: symbols.message,
    badCurrencies: currencies.values,
    currencyMessage: currencies.message,
  });
  const checked = normalised.withColumns(
    firstMatch(
      rules.map((rule, i) => [rule.test, pl.lit(i)] as const),
      pl.lit(null),
    ).cast(pl.Int32).alias("__rule"),
  );
  const broken = checked.filter(pl.col("__rule").isNotNull());
  const passed = checked.filter(pl.col("__rule").isNull());
  const superseded = supersededRecords(passed);
  const isSuperseded = pl.col("__row").isIn(
    pl.lit(superseded.getColumn("__row")),
  );

  const codes = rules.map((_, i) => i);
  const ruleField = pl.col("__rule").replaceStrict(
    codes,
    rules.map((r) => r.field),
    undefined,
    pl.Utf8,
  );
  const value = firstMatch(
    SYMBOL_REF_FIELDS.map((f) => [ruleField.eq(pl.lit(f)), pl.col(f)] as const),
    pl.lit(null),
  ).cast(pl.Utf8);
  const ruleRows = broken.select(
    pl.col("__row"),
    pl.col("record"),
    ...SYMBOL_REF_FIELDS.map((f) => pl.col(f)),
    ruleField.alias("field"),
    pl.concatString([
      ruleField,
      pl.lit(": "),
      pl.col("__rule").replaceStrict(
        codes,
        rules.map((r) => r.message),
        undefined,
        pl.Utf8,
      ),
      pl.lit(", got "),
      quoted(value),
    ], "").alias("reason"),
  );
  const duplicateRows = passed.join(superseded, { on: "__row" }).select(
    pl.col("__row"),
    pl.col("record"),
    ...SYMBOL_REF_FIELDS.map((f) => pl.col(f)),
    pl.lit("symbol").alias("field"),
    pl.concatString([
      pl.lit(
        "symbol: duplicate symbol with different attributes; superseded by record ",
      ),
      pl.col("__by"),
    ], "").alias("reason"),
  );
  const quarantine = pl.concat([ruleRows, duplicateRows], { how: "vertical" })
    .sort("__row")
    .select(
      pl.col("record"),
      pl.col("symbol"),
      pl.lit(null).cast(pl.Utf8).alias("ts"),
      pl.col("field"),
      pl.col("reason"),
      pl.struct(SYMBOL_REF_FIELDS.map((f) => pl.col(f))).struct.jsonEncode()
        .alias("raw"),
    )
    .select(...QUARANTINE_COLUMNS);
  const valid = passed
    .filter(superseded.height > 0 ? isSuperseded.not() : pl.lit(true))
    .select(
      ...SYMBOL_REF_FIELDS.map((f) => text(f).alias(f)),
      pl.col("record"),
    );
  return { valid, quarantine };
}
