/**
 * Fixtures shared by the snapshot tests: one in-memory PGlite for the whole
 * test run (starting one takes seconds) and the warehouse rows they use.
 * @module
 */
import {
  connectPglite,
  kyselyFor,
  type SqlClient,
} from "@pipeline/load/client.ts";
import { up } from "@pipeline/load/migrations/2026_11_22_0001_initial.ts";

export const LOAD_ID = "6f1c2b1e-8a40-4c55-9d1a-2b1f0d9e7a11";
export const DATES = ["2026-11-19", "2026-11-20", "2026-11-21"];

/** Quarantine rows: text with quotes, commas and a newline, NULL vs empty. */
export const QUARANTINE_ROWS = [
  {
    id: 1,
    fingerprint: "f1",
    load_id: LOAD_ID,
    dataset: "bars",
    source: "csv",
    record: "input.csv:17",
    symbol: "AAPL",
    entity: "AAPL",
    ts: null,
    field: "ts",
    reason: 'missing "ts", expected ISO-8601',
    raw: '{"open":"1,5","note":"a\nb"}',
    quarantined_at: "2026-11-20T09:00:00Z",
  },
  {
    id: 2,
    fingerprint: "f2",
    load_id: LOAD_ID,
    dataset: "bars",
    source: "csv",
    record: "input.csv:18",
    symbol: "AAPL",
    entity: "AAPL",
    ts: "",
    field: "open",
    reason: "empty",
    raw: "",
    quarantined_at: "2026-11-21T10:00:00Z",
  },
];

/** Creates the warehouse schema and a few rows over three UTC dates. */
export async function seed(client: SqlClient): Promise<void> {
  await up(kyselyFor(client));
  // bars_1d (migration 0008) has the columns of bars_5m.
  await client.exec("CREATE TABLE bars_1d (LIKE bars_5m INCLUDING ALL)");
  await client.exec(`
    INSERT INTO bars_1m (symbol, ts, open, high, low, close, volume, ret,
                         ma_close_20, ma_volume_20, vwap, load_id) VALUES
      ('AAPL', '2026-11-19T23:59:00Z', 10.5, 11, 10, 10.75, 100, NULL, NULL, NULL, 10.6, '${LOAD_ID}'),
      ('AAPL', '2026-11-20T14:31:00.123456Z', 10.75, 12.25, 10.5, 12, 2500, 0.1162790697674419, 11.375, 1300, 11.8, '${LOAD_ID}'),
      ('MSFT', '2026-11-20T14:31:00Z', 400.1, 401, 399.9, 400.5, 0, 0, 400.5, 0, NULL, '${LOAD_ID}'),
      ('MSFT', '2026-11-20T23:30:00-05:00', 400.5, 402, 400, 401.25, 7, 0.0018726591760299626, 400.875, 3.5, 401, '${LOAD_ID}');
    INSERT INTO bars_5m (symbol, ts, open, high, low, close, volume, vwap, bar_count, load_id) VALUES
      ('AAPL', '2026-11-20T14:30:00Z', 10.75, 12.25, 10.5, 12, 2500, 11.8, 2, '${LOAD_ID}');
  `);
  // Through jsonb_populate_record so the rows fit whichever quarantine
  // columns the migration defines (keys it lacks are ignored).
  for (const row of QUARANTINE_ROWS) {
    await client.query(
      "INSERT INTO quarantine SELECT * FROM jsonb_populate_record(NULL::quarantine, $1::jsonb)",
      [JSON.stringify(row)],
    );
  }
}

/** The PGlite shared by all snapshot tests. */
let shared: Promise<SqlClient> | undefined;

/**
 * The shared in-memory PGlite with its settings reset and an empty `public`
 * schema; `seed` (default true) then creates and fills the warehouse tables.
 */
export async function pglite(seedRows = true): Promise<SqlClient> {
  shared ??= connectPglite();
  const client = await shared;
  await client.exec(
    "RESET ALL; DROP SCHEMA public CASCADE; CREATE SCHEMA public",
  );
  if (seedRows) await seed(client);
  return client;
}
