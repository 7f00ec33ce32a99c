/**
 * The reference of bench section 2b: PGlite's own `COPY` of a bar CSV file
 * into a table like bars_1m, in a process of its own. Opens PGlite in a new
 * directory, applies the migrations, then times the one COPY statement.
 * Prints `{"seconds": S, "rows": N, "peak_rss_mib": M}`.
 *
 * With SAME_ROWS (a JSON file of `SameRows`, `./partitioned_target.ts`), it
 * times instead the `COPY`s of the load's own rows into tables partitioned
 * as the warehouse's (not a goal).
 *
 * Usage: deno run -A tests/bench/pglite_copy.ts CSV DATA_DIR [SAME_ROWS]
 * @module
 */
import { connectPglite } from "@pipeline/load/client.ts";
import { migrateToLatest } from "@pipeline/load/migrate.ts";
import { peakRssMib } from "@pipeline/summary.ts";
import {
  createSameRowsTargets,
  type SameRows,
  sameRowsTable,
} from "./partitioned_target.ts";

const [csv, dataDir, sameRowsFile] = Deno.args;
if (!csv || !dataDir) {
  console.error("usage: pglite_copy.ts CSV DATA_DIR [SAME_ROWS]");
  Deno.exit(2);
}
const client = await connectPglite(dataDir);
try {
  await migrateToLatest(client);
  const { seconds, rows } = sameRowsFile
    ? await copySameRows(sameRowsFile)
    : await copyFile(csv);
  console.log(JSON.stringify({ seconds, rows, peak_rss_mib: peakRssMib() }));
} finally {
  await client.close();
}

/** The goal's reference: the file into a plain table like bars_1m. */
async function copyFile(csv: string) {
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
  return { seconds: (performance.now() - t0) / 1000, rows };
}

/** Not a goal: the load's own rows into the warehouse's layout. */
async function copySameRows(file: string) {
  const same = JSON.parse(await Deno.readTextFile(file)) as SameRows;
  await createSameRowsTargets(client, same);
  const files = await Promise.all(same.tables.map((t) => Deno.readFile(t.csv)));
  const t0 = performance.now();
  let rows = 0;
  for (const [i, t] of same.tables.entries()) {
    rows += await client.copyFrom(
      `COPY ${sameRowsTable(t.like)} (${
        t.columns.map((c) => `"${c}"`).join(", ")
      }) FROM STDIN (FORMAT csv, HEADER true)`,
      files[i]!,
    );
  }
  return { seconds: (performance.now() - t0) / 1000, rows };
}
