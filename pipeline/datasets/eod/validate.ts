// AUTO-GENERATED from notebooks/08_dataset_eod.ipynb by `deno task export`. Edit the notebook, not this file.

// %% notebooks/08_dataset_eod.ipynb#validate
/**
 * The validate stage of eod: the raw daily bars split into valid bars and
 * quarantined records. The date and `adj_close` rules run first, then the
 * rules of bars (`validateBars()`) on the date's UTC midnight; every
 * quarantine row names the eod field and quotes the eod record.
 * @module
 */
import pl from "nodejs-polars";
import { QUARANTINE_COLUMNS } from "@pipeline/bars.ts";
import { normaliseRecords } from "@pipeline/validate/records.ts";
import {
  type BarLimits,
  CONTROL_PATTERN,
  firstMatch,
  quoted,
  validateBars,
} from "@pipeline/validate/bars.ts";
import * as contract from "@pipeline/datasets/eod/contract.ts";
import * as limits from "@pipeline/datasets/eod/limits.ts";

/** Options of {@link validateEod}: the run's "now" and any limit. */
export interface ValidateEodOptions extends Partial<BarLimits> {
  /** The run's "now"; dates after `now + futureToleranceMs` are refused. */
  now: Date;
}

/** A calendar date, the only `date` a daily bar may have. */
const DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/**
 * The eod rules, in order, as (field, message, test) over the trimmed text
 * of `date` and `adj_close`. A missing or control-character date is left to
 * the bar rules (they name it).
 */
function eodRules(bounds: BarLimits): [string, string, pl.Expr][] {
  const date = pl.col("date").str.strip();
  const adj = pl.col("adj_close").str.strip();
  const present = date.isNotNull().and(date.neq(pl.lit("")))
    .and(date.str.contains(CONTROL_PATTERN).not());
  const calendar = date.str.strptime(pl.Date, "%Y-%m-%d");
  const given = adj.isNotNull().and(adj.neq(pl.lit("")));
  const num = adj.cast(pl.Float64, false);
  return [
    [
      "date",
      "expected a date YYYY-MM-DD",
      present.and(
        date.str.contains(DATE_PATTERN).not().or(calendar.isNull()),
      ),
    ],
    [
      "adj_close",
      "contains a control character or invalid UTF-8",
      given.and(pl.col("adj_close").str.contains(CONTROL_PATTERN)),
    ],
    ["adj_close", "expected a number", given.and(num.isNull())],
    [
      "adj_close",
      "expected a finite number",
      given.and(num.isNan().or(num.isInfinite())),
    ],
    ["adj_close", "expected a positive price", given.and(num.ltEq(0))],
    [
      "adj_close",
      `expected a price in ${bounds.minPrice}..${bounds.maxPrice}`,
      given.and(num.lt(bounds.minPrice).or(num.gt(bounds.maxPrice))),
    ],
  ];
}

/** The eod record as JSON: its fields as sent. */
function rawJson(): pl.Expr {
  return pl.struct(contract.EOD_FIELDS.map((f) => pl.col(f))).struct
    .jsonEncode();
}

/**
 * Splits raw daily bars into valid bars and quarantined records. Never
 * throws on bad data: `raw.height === valid.height + quarantine.height`.
 * Records are named uniquely by their source (`sp500-2000.csv:2`,
 * `alphavantage:IBM daily:2026-11-20`).
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { validateEod } from "@pipeline/datasets/eod/validate.ts";
 * const raw = pl.DataFrame({
 *   symbol: ["SPX", "SPX"], date: ["2000-01-03", "1900-01-02"],
 *   open: ["1469.25", "10"], high: ["1478", "11"], low: ["1438.36", "9"],
 *   close: ["1455.22", "10"], adj_close: ["1455.22", null],
 *   volume: ["931800000", "1"],
 * });
 * const { valid, quarantine } = validateEod(raw, { now: new Date("2026-12-01T00:00:00Z") });
 * quarantine.getColumn("field").get(0); // "date"
 * ```
 */
export function validateEod(
  raw: pl.DataFrame,
  options: ValidateEodOptions,
): { valid: pl.DataFrame; quarantine: pl.DataFrame } {
  const { now, ...given } = options;
  const bounds: BarLimits = { ...limits.EOD_LIMITS };
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined) Object.assign(bounds, { [k]: v });
  }
  const records = normaliseRecords(raw, contract.EOD_FIELDS);
  const rules = eodRules(bounds);
  const checked = records.withColumns(
    firstMatch(
      rules.map(([, , test], i) => [test.fillNull(false), pl.lit(i)] as const),
      pl.lit(null),
    ).cast(pl.Int32).alias("__rule"),
  );
  const broken = checked.filter(pl.col("__rule").isNotNull());
  const passed = checked.filter(pl.col("__rule").isNull());
  const codes = rules.map((_, i) => i);
  const eodQuarantine = broken.select(
    pl.col("__row"),
    pl.col("record"),
    pl.col("symbol"),
    pl.col("date").alias("ts"),
    pl.col("__rule").replaceStrict(
      codes,
      rules.map(([field]) => field),
      undefined,
      pl.Utf8,
    ).alias("field"),
    pl.concatString([
      pl.col("__rule").replaceStrict(
        codes,
        rules.map(([field, message]) => `${field}: ${message}, got `),
        undefined,
        pl.Utf8,
      ),
      quoted(
        pl.when(pl.col("__rule").eq(0)).then(pl.col("date"))
          .otherwise(pl.col("adj_close")),
      ),
    ], "").alias("reason"),
    rawJson().alias("raw"),
  );

  const midnight = pl.when(
    pl.col("date").str.strip().str.contains(DATE_PATTERN),
  )
    .then(
      pl.concatString([pl.col("date").str.strip(), pl.lit("T00:00:00Z")], ""),
    )
    .otherwise(pl.col("date"));
  const bars = validateBars(
    passed.select(
      "symbol",
      midnight.alias("ts"),
      "open",
      "high",
      "low",
      "close",
      "volume",
      "record",
    ),
    { now, ...bounds },
  );
  const byRecord = passed.unique({
    subset: ["record"],
    keep: "first",
    maintainOrder: true,
  });
  const valid = bars.valid.join(
    byRecord.select(
      "record",
      pl.col("adj_close").str.strip().cast(pl.Float64, false).alias(
        "adj_close",
      ),
    ),
    { on: "record", how: "left" },
  ).select(
    "symbol",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "record",
  );
  const barQuarantine = bars.quarantine.join(
    byRecord.select(
      "record",
      "__row",
      ...contract.EOD_FIELDS.filter((f) => f !== "symbol"),
    ),
    { on: "record", how: "left" },
  ).select(
    pl.col("__row"),
    pl.col("record"),
    pl.col("symbol"),
    pl.col("date").alias("ts"),
    pl.when(pl.col("field").eq(pl.lit("ts"))).then(pl.lit("date"))
      .otherwise(pl.col("field")).alias("field"),
    pl.col("reason").str.replace("^ts: ", "date: "),
    pl.struct(contract.EOD_FIELDS.map((f) => pl.col(f))).struct.jsonEncode()
      .alias(
        "raw",
      ),
  );
  const quarantine = pl.concat([eodQuarantine, barQuarantine], {
    how: "vertical",
  }).sort("__row").select(...QUARANTINE_COLUMNS);
  return { valid, quarantine };
}
