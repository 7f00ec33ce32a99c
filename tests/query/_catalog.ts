/**
 * A data directory with a real catalogue: one synthetic run (two symbols,
 * two sessions, a fixed clock) on a database of the given kind.
 */
import { fixedClock } from "@pipeline/clock.ts";
import { parseRunConfig } from "@pipeline/config.ts";
import type { SqlClient } from "@pipeline/load/client.ts";
import { runPipeline } from "@pipeline/run.ts";
import { sourceFor } from "@pipeline/sources.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import { openTestDatabase } from "../_db.ts";

/** The run's "now": the close of the session of 2026-11-20. */
export const AS_OF = "2026-11-20T21:30:00Z";

/** One synthetic run into `dataDir` as of `asOf`. */
export async function runInto(
  client: SqlClient,
  dataDir: string,
  options: {
    asOf?: string;
    symbols?: string[];
    sessions?: number;
    /** `symbols` loads the reference data into dim_symbol. Default bars. */
    dataset?: string;
  } = {},
): Promise<RunSummary> {
  const { asOf = AS_OF, symbols = ["AAPL", "MSFT"], sessions = 2 } = options;
  const clock = fixedClock(asOf);
  const config = parseRunConfig({
    dataDir,
    symbols,
    sessions,
    ...(options.dataset ? { dataset: options.dataset } : {}),
  });
  const source = await sourceFor(config, { clock });
  return await runPipeline(source, { dataDir, snapshot: true }, {
    client,
    clock,
  });
}

let shared: Promise<string> | undefined;

/**
 * A data directory holding one run's lake and catalogue (PGlite), made once
 * per test module; removed at exit.
 */
export function fixtureDataDir(): Promise<string> {
  shared ??= (async () => {
    const dataDir = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "sluice_query_" }),
    );
    const db = await openTestDatabase("pglite");
    try {
      const summary = await runInto(db.client, dataDir);
      if (summary.status !== "succeeded") {
        throw new Error(`fixture run failed: ${summary.error}`);
      }
    } finally {
      await db.dispose();
    }
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dataDir, { recursive: true });
      } catch { /* already gone */ }
    });
    return dataDir;
  })();
  return shared;
}
