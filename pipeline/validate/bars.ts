// AUTO-GENERATED from notebooks/02a_validate_bars.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/02a_validate_bars.ipynb#module
/**
 * The validate stage for bars: splits a RAW frame into the VALID frame and
 * the QUARANTINE frame (see `@pipeline/bars.ts`), vectorised with polars.
 *
 * Each record is checked against the rules below in order; the first failing
 * rule quarantines it with the field it names and a reason that quotes the
 * offending value as JSON (`open: expected a number, got "n/a"`):
 *
 * 1. a missing field (null or blank), fields in {@link BAR_FIELDS} order;
 * 2. a field holding a control character (NUL included) or U+FFFD (the
 *    mark of invalid UTF-8 a reader replaced), in field order;
 * 3. a symbol that fails {@link SymbolSchema};
 * 4. text that is not a number in a number field (open, high, low, close,
 *    volume), then NaN, then ±infinity, each in field order;
 * 5. a price <= 0, then a negative volume;
 * 6. a price outside `minPrice..maxPrice`, then a volume above `maxVolume`,
 *    then a typical price × volume (the VWAP term) that is not finite
 *    ({@link BarLimits}: the bounds keep every derived value finite);
 * 7. a timestamp that is ISO-8601 without offset (ambiguous), or neither
 *    ISO-8601 with offset/`Z` nor an epoch number (digits, read by
 *    magnitude as seconds, milliseconds, microseconds or nanoseconds: see
 *    {@link epochMs});
 * 8. a timestamp before `earliest`, then one later than
 *    `now + futureToleranceMs`;
 * 9. high < max(open, close), then low > min(open, close) (the refinements
 *    of {@link BarSchema}, with its messages).
 *
 * Surrounding whitespace is ignored (`" 190.1 "` is 190.1, a blank value is
 * missing; the valid frame holds the trimmed symbol). Records that pass every
 * rule but share (symbol, ts in UTC) with the last record of that key while
 * holding different values are superseded: the last one in source order
 * wins, each earlier differing copy is quarantined on `ts`. Copies with
 * identical values stay valid (the transform removes and counts them).
 *
 * Every record is checked once with its text as is; only the few that fail
 * are checked again with trimmed text and the ordered rules, so clean input
 * costs one pass.
 *
 * @module
 */
import pl from "nodejs-polars";
import { normaliseRecords } from "@pipeline/validate/records.ts";
import {
  BAR_FIELDS,
  type BarField,
  BarSchema,
  PRICE_FIELDS,
  QUARANTINE_COLUMNS,
  SymbolSchema,
} from "@pipeline/bars.ts";

// %% notebooks/02a_validate_bars.ipynb#bar-limits
/**
 * The plausible values of a bar, declared with the dataset: records outside
 * them are quarantined, never loaded. The magnitude bounds keep every
 * derived value finite in float8: a return is at most maxPrice / minPrice
 * (1e15), a VWAP term at most maxPrice × maxVolume (1e22) and a day's sum
 * of them far below 1.8e308, so neither polars nor a SQL aggregate
 * overflows.
 */
export interface BarLimits {
  /** The oldest plausible timestamp. */
  earliest: Date;
  /** Allowed lead of timestamps ahead of `now`, in ms. */
  futureToleranceMs: number;
  /** The smallest plausible price (prices must also be > 0). */
  minPrice: number;
  /** The largest plausible price. */
  maxPrice: number;
  /** The largest plausible volume of one bar. */
  maxVolume: number;
}

// %% notebooks/02a_validate_bars.ipynb#default-bar-limits
/**
 * The limits {@link validateBars} uses for any it is not given: not before
 * 1990, at most a minute of clock skew, prices in 1e-6..1e9, volumes up
 * to 1e13.
 */
export const DEFAULT_BAR_LIMITS: Readonly<BarLimits> = {
  earliest: new Date("1990-01-01T00:00:00Z"),
  futureToleranceMs: 60_000,
  minPrice: 1e-6,
  maxPrice: 1e9,
  maxVolume: 1e13,
};

// %% notebooks/02a_validate_bars.ipynb#validate-bars-options
/**
 * Options of {@link validateBars}: the run's "now" and any of the
 * {@link BarLimits} (the rest from {@link DEFAULT_BAR_LIMITS}).
 */
export interface ValidateBarsOptions {
  /** The run's "now"; timestamps after `now + futureToleranceMs` are rejected. */
  now: Date;
  /** The oldest plausible timestamp. */
  earliest?: Date | undefined;
  /** Allowed clock skew for timestamps ahead of `now`, in ms. Default 60 000. */
  futureToleranceMs?: number | undefined;
  /** The smallest plausible price. Default 1e-6. */
  minPrice?: number | undefined;
  /** The largest plausible price. Default 1e9. */
  maxPrice?: number | undefined;
  /** The largest plausible volume. Default 1e13. */
  maxVolume?: number | undefined;
}

// %% notebooks/02a_validate_bars.ipynb#validate-bars-result
/** What {@link validateBars} returns; `raw.height === valid.height + quarantine.height`. */
export interface ValidateBarsResult {
  /** Bars that passed, typed per the valid frame contract, in source order. */
  valid: pl.DataFrame;
  /** One row per rejected record ({@link QUARANTINE_COLUMNS}), in source order. */
  quarantine: pl.DataFrame;
}

// %% notebooks/02a_validate_bars.ipynb#number-fields
/** The number fields of a bar: the prices and the volume. */
export const NUMBER_FIELDS = [...PRICE_FIELDS, "volume"] as const;

// %% notebooks/02a_validate_bars.ipynb#epoch-ms-pattern
/** An epoch number: digits only (its unit is read from its magnitude). */
export const EPOCH_PATTERN = "^[0-9]+$";

// %% notebooks/02a_validate_bars.ipynb#epoch-ms
/**
 * An epoch number (text of digits) as a UTC timestamp, its unit read from
 * its magnitude: up to 10 digits are seconds, 11–13 milliseconds, 14–16
 * microseconds, 17–19 nanoseconds (leading zeros do not count). The bands
 * are a factor 1000 apart, so every instant from April 1970 to 2286 has
 * one reading in each unit and each reading lands in one band: a date in
 * that span is never ambiguous, whichever unit a source uses, and a column
 * mixing units is read value by value. A value of more digits is no epoch
 * (null, so the record is quarantined); a reading outside the plausible
 * range is quarantined by the range rules.
 */
export function epochMs(digits: pl.Expr): pl.Expr {
  // Compared as numbers, not by counting characters: cheaper on every row
  // (polars evaluates this for ISO text too) and blind to leading zeros.
  const n = digits.cast(pl.Int64, false);
  const utc = (unit: "ms" | "us" | "ns") =>
    pl.Datetime(unit, "UTC") as pl.DataType;
  return pl.when(n.lt(1e10)).then(n.mul(1000).cast(utc("ms")))
    .when(n.lt(1e13)).then(n.cast(utc("ms")))
    .when(n.lt(1e16)).then(n.cast(utc("us")).cast(utc("ms")))
    .otherwise(n.cast(utc("ns")).cast(utc("ms")));
}

// %% notebooks/02a_validate_bars.ipynb#control-pattern
/**
 * Text no field may hold: C0 and C1 control characters (NUL included:
 * Postgres text cannot store it), DEL, and U+FFFD, the replacement
 * character readers put where the input was not valid UTF-8. Surrounding
 * whitespace (tab, newline) is trimmed before this is checked.
 */
export const CONTROL_PATTERN = "[\\x00-\\x1F\\x7F-\\x9F\\x{FFFD}]";

// %% notebooks/02a_validate_bars.ipynb#naive-iso-pattern
/** An ISO-8601 local date-time without offset: ambiguous, so rejected. */
export const NAIVE_ISO_PATTERN =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?$";

// %% notebooks/02a_validate_bars.ipynb#bar-rule
/** One validation rule: which field it blames, its message and its test. */
export interface BarRule {
  /** The field the reason names. */
  field: BarField;
  /** What was wrong, without the field and value (`expected a number`). */
  message: string;
  /** True where the record breaks the rule (null counts as false). */
  test: pl.Expr;
  /** Whether the reason also quotes open and close (the high/low rules). */
  quotesOpenClose: boolean;
}

// %% notebooks/02a_validate_bars.ipynb#is-in
/** Whether `expr` is one of `values` (a set membership test). */
function isIn(expr: pl.Expr, values: pl.Series): pl.Expr {
  return expr.isIn(pl.lit(values));
}

// %% notebooks/02a_validate_bars.ipynb#text
/** The trimmed text of a field (column `__text_<field>`). */
function text(field: BarField): pl.Expr {
  return pl.col(`__text_${field}`);
}

// %% notebooks/02a_validate_bars.ipynb#num
/** The parsed number of a number field (column `__num_<field>`). */
function num(field: BarField): pl.Expr {
  return pl.col(`__num_${field}`);
}

// %% notebooks/02a_validate_bars.ipynb#bar-schema-message
/**
 * The message {@link BarSchema} gives when the refinement on `path` fails,
 * so quarantine reasons read exactly like the contract.
 */
export function barSchemaMessage(path: "high" | "low"): string {
  const bar = path === "high"
    ? { open: 2, high: 1, low: 1, close: 1 }
    : { open: 1, high: 2, low: 2, close: 1 };
  const result = BarSchema.safeParse({
    symbol: "A",
    ts: new Date(0),
    volume: 0,
    ...bar,
  });
  const issue = result.error?.issues.find((i) => i.path[0] === path);
  return issue?.message ?? `${path} is out of range`;
}

// %% notebooks/02a_validate_bars.ipynb#bad-symbols
/**
 * The values among `symbols` that fail {@link SymbolSchema} (after trimming,
 * if `trim`), and the zod message for the first of them. Runs per unique
 * value, so it stays cheap on big frames.
 */
function badSymbols(
  symbols: readonly (string | null)[],
  trim: boolean,
): { values: string[]; message: string } {
  const values: string[] = [];
  let message = "expected a ticker like AAPL or BRK.B";
  for (const symbol of symbols) {
    if (symbol === null) continue;
    const result = SymbolSchema.safeParse(trim ? symbol.trim() : symbol);
    if (result.success) continue;
    if (values.length === 0) {
      message = result.error.issues[0]?.message ?? message;
    }
    values.push(symbol);
  }
  return { values, message };
}

// %% notebooks/02a_validate_bars.ipynb#bar-rules
/**
 * The rules of {@link validateBars} in the order they are applied, given the
 * symbols known to be bad, the latest allowed timestamp and the limits.
 */
export function barRules(options: {
  badSymbols: string[];
  symbolMessage: string;
  latestMs: number;
  limits: BarLimits;
}): BarRule[] {
  const { badSymbols, symbolMessage, latestMs, limits } = options;
  const earliestMs = limits.earliest.getTime();
  /** A limit as people write it: 1e9, 1e-6, 100. */
  const limit = (n: number) =>
    Math.abs(n) >= 1e6 || (n !== 0 && Math.abs(n) < 1e-3)
      ? n.toExponential().replace("e+", "e")
      : String(n);
  const typical = num("high").add(num("low")).add(num("close")).div(3);
  const rule = (field: BarField, message: string, test: pl.Expr): BarRule => ({
    field,
    message,
    test,
    quotesOpenClose: false,
  });
  const maxOpenClose = pl.maxHorizontal([num("open"), num("close")]);
  const minOpenClose = pl.minHorizontal([num("open"), num("close")]);
  return [
    ...BAR_FIELDS.map((f) =>
      rule(f, "missing value", text(f).isNull().or(text(f).eq(pl.lit(""))))
    ),
    ...BAR_FIELDS.map((f) =>
      rule(
        f,
        "contains a control character or invalid UTF-8",
        text(f).str.contains(CONTROL_PATTERN),
      )
    ),
    rule(
      "symbol",
      symbolMessage,
      badSymbols.length > 0
        ? isIn(pl.col("symbol"), pl.Series("bad", badSymbols, pl.Utf8))
        : pl.lit(false),
    ),
    ...NUMBER_FIELDS.map((f) => rule(f, "expected a number", num(f).isNull())),
    ...NUMBER_FIELDS.map((f) =>
      rule(f, "expected a finite number", num(f).isNan())
    ),
    ...NUMBER_FIELDS.map((f) =>
      rule(f, "expected a finite number", num(f).isInfinite())
    ),
    ...PRICE_FIELDS.map((f) =>
      rule(f, "expected a positive price", num(f).ltEq(0))
    ),
    rule("volume", "expected a non-negative volume", num("volume").lt(0)),
    ...PRICE_FIELDS.map((f) =>
      rule(
        f,
        `expected a price in ${limit(limits.minPrice)}..${
          limit(limits.maxPrice)
        }`,
        num(f).lt(limits.minPrice).or(num(f).gt(limits.maxPrice)),
      )
    ),
    rule(
      "volume",
      `expected a volume of at most ${limit(limits.maxVolume)}`,
      num("volume").gt(limits.maxVolume),
    ),
    rule(
      "volume",
      "typical price × volume (the VWAP term) is not finite",
      typical.mul(num("volume")).isFinite().not(),
    ),
    rule(
      "ts",
      "ISO-8601 timestamp without UTC offset is ambiguous",
      pl.col("__ts").isNull().and(text("ts").str.contains(NAIVE_ISO_PATTERN)),
    ),
    rule(
      "ts",
      "expected ISO-8601 with offset or an epoch number (s, ms, µs or ns)",
      pl.col("__ts").isNull(),
    ),
    rule(
      "ts",
      `timestamp is before ${
        new Date(earliestMs).toISOString()
      }, the earliest plausible`,
      pl.col("__ts").cast(pl.Int64).lt(pl.lit(earliestMs)),
    ),
    rule(
      "ts",
      `timestamp is in the future (after ${new Date(latestMs).toISOString()})`,
      pl.col("__ts").cast(pl.Int64).gt(pl.lit(latestMs)),
    ),
    {
      ...rule("high", barSchemaMessage("high"), num("high").lt(maxOpenClose)),
      quotesOpenClose: true,
    },
    {
      ...rule("low", barSchemaMessage("low"), num("low").gt(minOpenClose)),
      quotesOpenClose: true,
    },
  ];
}

// %% notebooks/02a_validate_bars.ipynb#all-rules-hold
/**
 * True where a record breaks none of {@link barRules} (same options): the
 * same checks folded into a few expressions per field, for the pass over
 * every record. `x > 0` and `x >= 0` are false for null, and `isFinite`
 * excludes NaN and infinities, so missing and unparseable values fail too.
 */
export function allRulesHold(options: {
  badSymbols: string[];
  latestMs: number;
  limits: BarLimits;
}): pl.Expr {
  const { badSymbols, latestMs, limits } = options;
  const finite = (f: BarField) => num(f).isFinite();
  const typical = num("high").add(num("low")).add(num("close")).div(3);
  return pl.allHorizontal([
    text("symbol").isNotNull(),
    badSymbols.length > 0
      ? isIn(pl.col("symbol"), pl.Series("bad", badSymbols, pl.Utf8)).not()
      : pl.lit(true),
    ...PRICE_FIELDS.map((f) =>
      finite(f).and(num(f).gt(0)).and(num(f).gtEq(limits.minPrice))
        .and(num(f).ltEq(limits.maxPrice))
    ),
    finite("volume").and(num("volume").gtEq(0))
      .and(num("volume").ltEq(limits.maxVolume)),
    typical.mul(num("volume")).isFinite(),
    // Number casts and the symbol schema refuse control characters, but
    // ISO parsing ignores a trailing NUL.
    text("ts").str.contains(CONTROL_PATTERN).not(),
    pl.col("__ts").cast(pl.Int64).gtEq(pl.lit(limits.earliest.getTime())),
    pl.col("__ts").cast(pl.Int64).ltEq(pl.lit(latestMs)),
    num("high").gtEq(pl.maxHorizontal([num("open"), num("close")])),
    num("low").ltEq(pl.minHorizontal([num("open"), num("close")])),
  ]).fillNull(false);
}

// %% notebooks/02a_validate_bars.ipynb#normalise-raw
/**
 * The raw frame with every bar field as Utf8 (a missing column becomes all
 * null), `record` (a missing one becomes `row <n>`) and `__row`, the source
 * position: `normaliseRecords()`, shared by every dataset's validation.
 */
function normaliseRaw(raw: pl.DataFrame): pl.DataFrame {
  return normaliseRecords(raw, BAR_FIELDS);
}

// %% notebooks/02a_validate_bars.ipynb#check-records
/**
 * Parses and checks a normalised frame in one lazy query: the text of each
 * field (`__text_*`: as is, or trimmed if `trim`), numbers (`__num_*`,
 * Float64), the timestamp (`__ts`, UTC ms), `__bad` (the `broken` test) and,
 * if `rules` are given, `__rule` (the first broken rule). Keeps the raw
 * fields, `record`, `__row` and `__symbol` (the symbol text).
 */
function checkRecords(
  frame: pl.DataFrame,
  options: { trim: boolean; broken: pl.Expr; rules?: BarRule[] | undefined },
): pl.DataFrame {
  const { trim, broken, rules } = options;
  return frame.lazy()
    .withColumns(
      ...BAR_FIELDS.map((f) =>
        (trim ? pl.col(f).str.strip() : pl.col(f)).alias(`__text_${f}`)
      ),
    )
    .withColumns(
      ...NUMBER_FIELDS.map((f) =>
        text(f).cast(pl.Float64, false).alias(`__num_${f}`)
      ),
      parseTimestamps(frame, trim).alias("__ts"),
    )
    .withColumns(
      broken.alias("__bad"),
      ...(rules === undefined ? [] : [firstBrokenRule(rules)]),
    )
    .select(
      ...BAR_FIELDS,
      "record",
      "__row",
      text("symbol").alias("__symbol"),
      "__ts",
      ...NUMBER_FIELDS.map((f) => `__num_${f}`),
      "__bad",
      ...(rules === undefined ? [] : ["__rule"]),
    )
    .collectSync();
}

/**
 * The timestamp of `__text_ts`: an epoch number ({@link epochMs}) or
 * ISO-8601 with offset. polars computes both branches of a `when` for
 * every row, so a frame whose texts are all of one kind gets that parser
 * alone, found in one pass over `ts` (`trim` as in {@link checkRecords}).
 * On a million ISO timestamps the epoch reading cost 71 - 97 ms, the pass
 * 27 ms; on epoch numbers the ISO parse cost 260 ms.
 */
function parseTimestamps(frame: pl.DataFrame, trim: boolean): pl.Expr {
  const ts = trim ? pl.col("ts").str.strip() : pl.col("ts");
  const kinds = frame.select(ts.str.contains(EPOCH_PATTERN).alias("epoch"))
    .select(
      pl.col("epoch").any().alias("epoch"),
      pl.col("epoch").not().any().alias("iso"),
    ).row(0);
  const epoch = epochMs(text("ts"));
  const iso = text("ts").str.strptime(pl.Datetime("ms"), "%+")
    .cast(pl.Datetime("ms", "UTC"));
  if (!kinds[0]) return iso;
  if (!kinds[1]) return epoch;
  return pl.when(text("ts").str.contains(EPOCH_PATTERN)).then(epoch)
    .otherwise(iso);
}

// %% notebooks/02a_validate_bars.ipynb#first-match
/**
 * `when(test1).then(value1).when(test2).then(value2)….otherwise(otherwise)`
 * over a list of cases: the value of the first test that holds. Shared with
 * the other datasets' validations.
 */
export function firstMatch(
  cases: readonly (readonly [test: pl.Expr, value: pl.Expr])[],
  otherwise: pl.Expr,
): pl.Expr {
  let chain: pl.Then | pl.ChainedThen | undefined;
  for (const [test, value] of cases) {
    chain = chain === undefined
      ? pl.when(test).then(value)
      : chain.when(test).then(value);
  }
  return chain === undefined ? otherwise : chain.otherwise(otherwise);
}

// %% notebooks/02a_validate_bars.ipynb#first-broken-rule
/** `__rule`: the index of the first rule a record breaks, null if none. */
function firstBrokenRule(rules: BarRule[]): pl.Expr {
  return firstMatch(
    rules.map((rule, i) => [rule.test, pl.lit(i)] as const),
    pl.lit(null),
  ).cast(pl.Int32).alias("__rule");
}

// %% notebooks/02a_validate_bars.ipynb#quoted
/** The longest value a quarantine reason quotes (characters). */
export const MAX_QUOTED = 200;

/**
 * A text expression as a JSON literal: `"n/a"` with quotes, or `null`. A
 * value longer than {@link MAX_QUOTED} is cut and ends in `…`, so one huge
 * field cannot make a huge stored reason (the record itself is kept whole).
 */
export function quoted(expr: pl.Expr): pl.Expr {
  const cut = pl.when(expr.str.lengths().gt(MAX_QUOTED))
    .then(pl.concatString([expr.str.slice(0, MAX_QUOTED), pl.lit("…")], ""))
    .otherwise(expr);
  return pl.struct([cut.alias("v")]).struct.jsonEncode()
    .str.extract('^\\{"v":(.*)\\}$', 1);
}

// %% notebooks/02a_validate_bars.ipynb#raw-json
/** The raw record as a JSON object of the seven raw fields. */
function rawJson(): pl.Expr {
  return pl.struct(BAR_FIELDS.map((f) => pl.col(f))).struct.jsonEncode();
}

// %% notebooks/02a_validate_bars.ipynb#superseded-records
/**
 * Records that passed the rules but are superseded: an earlier copy of
 * (symbol, ts) whose values differ from the last copy. Returns `__row` and
 * `__by` (the record of the last copy).
 *
 * Finding the copies by sorting a 64-bit hash of the key is about four times
 * faster than a window over (symbol, ts) on a million rows; the exact
 * comparison then runs over the few rows whose hash repeats, so a hash
 * collision costs time, never correctness.
 */
function supersededRecords(passed: pl.DataFrame): pl.DataFrame {
  const keyed = passed.select(
    "__symbol",
    "__ts",
    "record",
    "__row",
    ...NUMBER_FIELDS.map((f) => `__num_${f}`),
    pl.struct([pl.col("__symbol"), pl.col("__ts")]).hash(11, 23, 37, 41)
      .alias("__key"),
  );
  const repeated = keyed.select(pl.col("__key").sort().alias("__key"))
    .filter(pl.col("__key").eq(pl.col("__key").shift(1)))
    .getColumn("__key");
  const copies = repeated.length === 0 ? keyed.head(0) : keyed
    .filter(isIn(pl.col("__key"), repeated))
    .filter(pl.len().over("__symbol", "__ts").gt(1));
  if (copies.height === 0) {
    return pl.DataFrame([
      pl.Series("__row", [], pl.Int64),
      pl.Series("__by", [], pl.Utf8),
    ]);
  }
  return copies
    .withColumns(
      pl.anyHorizontal(
        NUMBER_FIELDS.map((f) =>
          num(f).neq(num(f).last().over("__symbol", "__ts"))
        ),
      ).alias("__differs"),
      pl.col("record").last().over("__symbol", "__ts").alias("__by"),
    )
    .filter(pl.col("__differs"))
    .select("__row", "__by");
}

// %% notebooks/02a_validate_bars.ipynb#quarantine-frame
/**
 * Builds the quarantine frame from the records that broke a rule (with
 * `__rule`) and the superseded duplicates (with `__by`), in source order.
 */
function quarantineFrame(options: {
  broken: pl.DataFrame;
  superseded: pl.DataFrame;
  rules: BarRule[];
}): pl.DataFrame {
  const { broken, superseded, rules } = options;
  const codes = rules.map((_, i) => i);
  const openClose = codes.filter((i) => rules[i]?.quotesOpenClose);
  const value = firstMatch(
    BAR_FIELDS.map((f) => [pl.col("field").eq(pl.lit(f)), pl.col(f)] as const),
    pl.lit(null),
  ).cast(pl.Utf8);
  const ruleRows = broken.select(
    pl.col("__row"),
    pl.col("record"),
    ...BAR_FIELDS.map((f) => pl.col(f)),
    pl.col("__rule").replaceStrict(
      codes,
      rules.map((r) => r.field),
      undefined,
      pl.Utf8,
    )
      .alias("field"),
    pl.col("__rule").replaceStrict(
      codes,
      rules.map((r) => r.message),
      undefined,
      pl.Utf8,
    )
      .alias("__message"),
    isIn(pl.col("__rule"), pl.Series("codes", openClose, pl.Int32)).alias(
      "__open_close",
    ),
  ).withColumns(
    pl.concatString([
      pl.col("field"),
      pl.lit(": "),
      pl.col("__message"),
      pl.lit(", got "),
      quoted(value),
      pl.when(pl.col("__open_close"))
        .then(pl.concatString([
          pl.lit(" (open "),
          quoted(pl.col("open")),
          pl.lit(", close "),
          quoted(pl.col("close")),
          pl.lit(")"),
        ], ""))
        .otherwise(pl.lit("")),
    ], "").alias("reason"),
  );
  const duplicateRows = superseded.withColumns(
    pl.lit("ts").alias("field"),
    pl.concatString([
      pl.lit(
        "ts: duplicate (symbol, ts) with different values; superseded by record ",
      ),
      pl.col("__by"),
    ], "").alias("reason"),
  );
  const columns = ["__row", "record", "field", "reason", ...BAR_FIELDS];
  return pl.concat([
    ruleRows.select(...columns),
    duplicateRows.select(...columns),
  ], {
    how: "vertical",
  })
    .sort("__row")
    .select(
      pl.col("record"),
      pl.col("symbol"),
      pl.col("ts"),
      pl.col("field"),
      pl.col("reason"),
      rawJson().alias("raw"),
    )
    .select(...QUARANTINE_COLUMNS);
}

// %% notebooks/02a_validate_bars.ipynb#validate-bars
/**
 * Splits a RAW bar frame into valid bars and quarantined records (see the
 * module doc for the rules). Never throws on bad data: every rejected record
 * becomes one quarantine row naming its record, field and reason, so
 * `raw.height === valid.height + quarantine.height`.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { validateBars } from "@pipeline/validate/bars.ts";
 * const raw = pl.DataFrame({
 *   symbol: ["AAPL", "AAPL"],
 *   ts: ["2026-11-20T09:30:00-05:00", "2026-11-20T09:31:00-05:00"],
 *   open: ["190.1", "n/a"], high: ["190.5", "190.4"], low: ["190.0", "190.1"],
 *   close: ["190.2", "190.3"], volume: ["1200", "900"],
 *   record: ["in.csv:2", "in.csv:3"],
 * });
 * const { valid, quarantine } = validateBars(raw, { now: new Date("2026-11-21T00:00:00Z") });
 * quarantine.getColumn("reason").get(0); // 'open: expected a number, got "n/a"'
 * ```
 */
export function validateBars(
  raw: pl.DataFrame,
  options: ValidateBarsOptions,
): ValidateBarsResult {
  const { now } = options;
  const limits: BarLimits = {
    earliest: options.earliest ?? DEFAULT_BAR_LIMITS.earliest,
    futureToleranceMs: options.futureToleranceMs ??
      DEFAULT_BAR_LIMITS.futureToleranceMs,
    minPrice: options.minPrice ?? DEFAULT_BAR_LIMITS.minPrice,
    maxPrice: options.maxPrice ?? DEFAULT_BAR_LIMITS.maxPrice,
    maxVolume: options.maxVolume ?? DEFAULT_BAR_LIMITS.maxVolume,
  };
  const latestMs = now.getTime() + limits.futureToleranceMs;
  const normalised = normaliseRaw(raw);
  const symbols = normalised.select(pl.col("symbol").unique())
    .getColumn("symbol").toArray() as (string | null)[];
  const rawBad = badSymbols(symbols, false);
  const trimmedBad = badSymbols(symbols, true);
  const rules = barRules({
    badSymbols: trimmedBad.values,
    symbolMessage: trimmedBad.message,
    latestMs,
    limits,
  });
  // A fast pass over every record with the text as is, then the few
  // suspects again with trimmed text: each passes or gets its first rule.
  const first = checkRecords(normalised, {
    trim: false,
    broken: allRulesHold({ badSymbols: rawBad.values, latestMs, limits })
      .not(),
  });
  const second = checkRecords(first.filter(pl.col("__bad")), {
    trim: true,
    broken: pl.anyHorizontal(rules.map((r) => r.test)).fillNull(false),
    rules,
  });
  const recovered = second.filter(pl.col("__bad").not());
  const passedColumns = [
    "__symbol",
    "__ts",
    ...NUMBER_FIELDS.map((f) => `__num_${f}`),
    "record",
    "__row",
  ];
  const passedFirst = first.lazy()
    .filter(pl.col("__bad").not())
    .select(...passedColumns)
    .collectSync();
  const passed = recovered.height === 0 ? passedFirst : pl.concat([
    passedFirst,
    recovered.select(...passedColumns),
  ], { how: "vertical" }).sort("__row");
  const superseded = supersededRecords(passed);
  const isSuperseded = isIn(pl.col("__row"), superseded.getColumn("__row"));
  const valid =
    (superseded.height > 0 ? passed.filter(isSuperseded.not()) : passed)
      .select(
        pl.col("__symbol").alias("symbol"),
        pl.col("__ts").alias("ts"),
        ...NUMBER_FIELDS.map((f) => num(f).alias(f)),
        pl.col("record"),
      );
  const quarantine = quarantineFrame({
    broken: second.filter(pl.col("__bad")),
    superseded: superseded.height > 0
      ? normalised.filter(isSuperseded).join(superseded, { on: "__row" })
      : normalised.head(0).withColumns(
        pl.lit(null).cast(pl.Utf8).alias("__by"),
      ),
    rules,
  });
  return { valid, quarantine };
}
