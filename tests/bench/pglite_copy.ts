/**
 * The reference of bench section 2b: PGlite's own `COPY` of a bar CSV file
 * into a table like bars_1m, in a process of its own. Opens PGlite in a new
 * directory, applies the migrations, then times the one COPY statement.
 * Prints `{"seconds": S, "rows": N, "peak_rss_mib": M}`.
 *
 * Usage: deno run -A tests/bench/pglite_copy.ts CSV DATA_DIR
 * @module
 */
import { connectPglite } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { peakRssMib } from "@pipeline/summary.ts";

const [csv, dataDir] = Deno.args;
if (!csv || !dataDir) {
  console.error("usage: pglite_copy.ts CSV DATA_DIR");
  Deno.exit(2);
}
const client = await connectPglite(dataDir);
try {
  await migrateToLatest(client);
  // As psql's target in section 1: bars_1m's columns, keys and defaults,
  // load_id a constant default (the file has no such column).
  await client.exec(`CREATE TABLE pglite_target (LIKE bars_1m INCLUDING ALL);
    ALTER TABLE pglite_target ALTER load_id
      SET DEFAULT '00000000-0000-0000-0000-000000000000'`);
  const bytes = await Deno.readFile(csv);
  const t0 = performance.now();
  const rows = await client.copyFrom(
    "COPY pglite_target (symbol, ts, open, high, low, close, volume) FROM STDIN (FORMAT csv, HEADER true)",
    bytes,
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, rows, peak_rss_mib: peakRssMib() }));
} finally {
  await client.close();
}
