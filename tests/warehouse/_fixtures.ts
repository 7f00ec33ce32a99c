/**
 * Fixtures of the warehouse tests: bar frames and where their rows sit.
 * @module
 */
import pl from "nodejs-polars";
import type { SqlClient } from "@pipeline/load/client.ts";

/**
 * One-minute bars of `symbols` at the given ISO instants; `close` differs
 * per row (exact in binary, so Postgres and DuckDB print it alike).
 */
export function bars(symbols: string[], times: string[]): pl.DataFrame {
  const symbol: string[] = [], ts: number[] = [];
  for (const s of symbols) {
    for (const t of times) {
      symbol.push(s);
      ts.push(Date.parse(t));
    }
  }
  const n = symbol.length;
  const f = (v: number) => Array(n).fill(v) as number[];
  return pl.DataFrame({
    symbol,
    ts,
    open: f(100),
    high: f(101),
    low: f(99),
    close: Array.from({ length: n }, (_, i) => 100 + i / 4),
    volume: f(1000),
    ret: f(0),
    ma_close_20: Array(n).fill(null),
    ma_volume_20: f(1000),
    vwap: f(100.5),
  }).withColumns(pl.col("ts").cast(pl.Datetime("ms", "UTC")));
}

/** How many rows of `table` each partition holds, `{ partition: n }`. */
export async function placement(
  client: SqlClient,
  table: string,
): Promise<Record<string, number>> {
  const { rows } = await client.query<{ part: string; n: number }>(
    `SELECT tableoid::regclass::text AS part, count(*)::int AS n
       FROM ${table} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.part, r.n]));
}
