/**
 * A data directory with a catalogue for the dashboard's tests: one
 * synthetic run (two symbols, two sessions, PGlite) whose database stays
 * open, so a test can commit another run while a page is open.
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import type { RunSummary } from "@pipeline/summary.ts";
import { openTestDatabase } from "../_db.ts";
import { AS_OF, runInto } from "../query/_catalog.ts";

export { AS_OF };

/** The fixture: its folder, its database, and a way to commit more runs. */
export interface ServeFixture {
  dataDir: string;
  client: SqlClient;
  /** Another synthetic run into the folder as of `asOf`. */
  run(asOf: string): Promise<RunSummary>;
  dispose(): Promise<void>;
}

/** A fresh fixture (one run as of {@link AS_OF}). */
export async function serveFixture(): Promise<ServeFixture> {
  const dataDir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "sluice_serve_" }),
  );
  const db = await openTestDatabase("pglite");
  const run = async (asOf: string) => {
    const summary = await runInto(db.client, dataDir, { asOf });
    if (summary.status !== "succeeded") {
      throw new Error(`fixture run failed: ${summary.error}`);
    }
    return summary;
  };
  await run(AS_OF);
  return {
    dataDir,
    client: db.client,
    run,
    async dispose() {
      await db.dispose();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
