/**
 * Refreshing the catalogue's operations tables after a run: the run's own
 * row, stage timings and checks are written when it ends, after its
 * snapshot, and the lake's debt is cleared after the files are in place;
 * this copies them into `analytics.duckdb` last, so the catalogue shows the
 * run as it finished.
 * @module
 */
import type { SqlClient } from "@pipeline/load/client.ts";
import { type Clock, systemClock } from "@pipeline/clock.ts";
import { registerLake } from "@pipeline/snapshot/catalog.ts";
import { CATALOG_FILE } from "@pipeline/snapshot/catalog_file.ts";
import { withLakeLock } from "@pipeline/snapshot/lake_lock.ts";

/** Options of {@link refreshCatalog}. */
export interface RefreshCatalogOptions {
  /** The warehouse. */
  client: SqlClient;
  /** Holds `lake/` and `analytics.duckdb`. */
  dataDir: string;
  /** Stamps files found on disk without a row. Default {@link systemClock}. */
  clock?: Clock;
  /** Stops waiting for another lake writer. */
  signal?: AbortSignal | undefined;
}

/**
 * Copies the operations tables into the catalogue (a new file renamed into
 * place, holding the lake lock), when a catalogue or a lake exists; a data
 * directory without either stays empty.
 *
 * @returns The catalogue's path, or null when there was none to refresh.
 * @throws EtlError (stage `snapshot`).
 */
export async function refreshCatalog(
  options: RefreshCatalogOptions,
): Promise<string | null> {
  const { client, clock = systemClock } = options;
  const present = async (path: string) =>
    await Deno.stat(path).then(() => true, () => false);
  const dataDir = options.dataDir;
  if (
    !(await present(`${dataDir}/${CATALOG_FILE}`)) &&
    !(await present(`${dataDir}/lake`))
  ) return null;
  await Deno.mkdir(`${dataDir}/lake`, { recursive: true });
  const root = await Deno.realPath(dataDir);
  const duckdbPath = `${root}/${CATALOG_FILE}`;
  await withLakeLock(client, () =>
    registerLake({
      duckdbPath,
      lakeDir: `${root}/lake`,
      tables: [],
      touched: new Map(),
      written: [],
      snapshotAt: clock.now(),
      client,
    }), { signal: options.signal });
  return duckdbPath;
}
