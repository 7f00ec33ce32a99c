/**
 * `deno task etl --dataset eod --source file --input <sp500-2000.csv>
 * --symbol SPX` through main(), in-process, on PGlite and on the server.
 */
import assert from "node:assert/strict";
import { DATABASE_KINDS, SERVER_URL } from "../../_db.ts";
import { createServerDatabase } from "../../_db.ts";
import { main } from "@pipeline/main.ts";
import { connectPglite, connectPostgres } from "@pipeline/load/client.ts";
import { SP500_CSV, SP500_ROWS } from "./_sp500.ts";

for (const kind of DATABASE_KINDS) {
  Deno.test(`main() loads the S&P 500 file as eod for SPX [${kind}]`, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "sluice_eod_main_" });
    const server = kind === "postgres"
      ? await createServerDatabase(SERVER_URL!)
      : undefined;
    // main() reads DATABASE_URL when no --database-url is given: PGlite
    // needs it unset while main() runs.
    const saved = Deno.env.get("DATABASE_URL");
    Deno.env.delete("DATABASE_URL");
    try {
      const argv = [
        "--source",
        "file",
        "--dataset",
        "eod",
        "--input",
        SP500_CSV,
        "--symbol",
        "SPX",
        "--data-dir",
        dataDir,
        "--as-of",
        "2026-12-01T00:00:00Z",
        ...(server ? ["--database-url", server.url] : []),
      ];
      assert.equal(await main(argv), 0);
      assert.equal(await main(argv), 0); // again: nothing new
      const client = server
        ? await connectPostgres(server.url)
        : await connectPglite(`${dataDir}/pglite`);
      try {
        const { rows } = await client.query<
          { n: number; symbols: string[]; rets: number }
        >(
          `SELECT count(*)::int AS n, array_agg(DISTINCT symbol) AS symbols,
                  count(ret)::int AS rets FROM eod_bars`,
        );
        assert.deepEqual(rows[0], {
          n: SP500_ROWS,
          symbols: ["SPX"],
          rets: SP500_ROWS - 1,
        });
        const { rows: loads } = await client.query<
          { inserted: number; updated: number }
        >(
          `SELECT (r->>'inserted')::int AS inserted, (r->>'updated')::int AS updated
             FROM etl_loads l, jsonb_array_elements(l.resources) r
            WHERE l.dataset = 'eod' ORDER BY l.started_at`,
        );
        assert.deepEqual(loads, [
          { inserted: SP500_ROWS, updated: 0 },
          { inserted: 0, updated: 0 },
        ]);
      } finally {
        await client.close();
      }
      let years = 0;
      for await (const _ of Deno.readDir(`${dataDir}/lake/eod_bars`)) years++;
      assert.equal(years, 21);
    } finally {
      if (saved !== undefined) Deno.env.set("DATABASE_URL", saved);
      await server?.drop();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}
