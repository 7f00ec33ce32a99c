/**
 * The choices of `deno task query` that its flags declare: output formats
 * and the time zone. Kept apart from the session and the formatter so that
 * declaring the command loads no DuckDB.
 * @module
 */

/** The output formats of `deno task query`. */
export const QUERY_FORMATS = ["table", "csv", "json", "parquet"] as const;

/** One of {@link QUERY_FORMATS}. */
export type QueryFormat = typeof QUERY_FORMATS[number];

/** The exchange's time zone, in which bar timestamps print by default. */
export const EXCHANGE_TIME_ZONE = "America/New_York";

/** Whether `zone` is a time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
